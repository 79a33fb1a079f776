"""Keeps only this platform's native libraries in the jars of a bundle's lib/ folder.

ONNX Runtime's jar carries its libraries for every OS (Linux x64 and arm64, macOS with debug
symbols, Windows: 93 MB); a plug-in bundle installed on one machine needs one of them (17 MB).
Each jar in the folder is rewritten in place (atomically) without the entries under a
`.../native/<platform>/` folder of another platform. Safe to run again.
    python3 slim_jar.py BUNDLE/lib [PLATFORM]   (PLATFORM: linux-x64, linux-aarch64, win-x64, osx-aarch64; default: this machine)
"""
import os
import platform
import re
import sys
import zipfile

NATIVE = re.compile(r"^(?:.*/)?native/(linux-x64|linux-aarch64|osx-x64|osx-aarch64|win-x64|win-aarch64)/")


def this_platform():
    machine = {"x86_64": "x64", "amd64": "x64", "aarch64": "aarch64", "arm64": "aarch64"}.get(platform.machine().lower(), platform.machine())
    system = {"Linux": "linux", "Darwin": "osx", "Windows": "win"}.get(platform.system(), platform.system().lower())
    return f"{system}-{machine}"


def slim(jar, keep):
    with zipfile.ZipFile(jar) as z:
        entries = z.infolist()
        drop = [e for e in entries if (m := NATIVE.match(e.filename)) and m.group(1) != keep]
        if not drop:
            return 0
        tmp = jar + ".slim.tmp"
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as out:
            for e in entries:
                if e not in drop:
                    out.writestr(e, z.read(e.filename))
    before = os.path.getsize(jar)
    os.replace(tmp, jar)
    return before - os.path.getsize(jar)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    folder, keep = sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else this_platform()
    saved = 0
    for name in sorted(os.listdir(folder)):
        if name.endswith(".jar"):
            saved += slim(os.path.join(folder, name), keep)
    print(f"slim_jar: {folder}: native libraries for {keep} only ({saved / 1e6:.1f} MB less)")


if __name__ == "__main__":
    main()
