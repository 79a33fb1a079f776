package dev.pianola;

/**
 * A device problem: no JACK server, no libjack, a port that does not exist, a name taken; CUDA asked for
 * where it cannot run: exit code 5.
 */
public final class DeviceException extends PianolaException {
    public DeviceException(String message, Throwable cause) {
        super(EXIT_DEVICE, message, cause);
    }

    public DeviceException(String message) {
        this(message, null);
    }
}
