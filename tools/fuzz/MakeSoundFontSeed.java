import com.sun.media.sound.*;
import javax.sound.midi.Patch;
import java.io.File;
/**
 * Writes the SoundFont seed of SoundFontFuzzTest: one instrument (program 0) playing a 256-sample
 * sine, through Java's own SF2 writer. Run: java --add-exports java.desktop/com.sun.media.sound=ALL-UNNAMED
 *   tools/fuzz/MakeSoundFontSeed.java engine/src/test/resources/dev/pianola/fuzz/SoundFontFuzzTestInputs/soundFont/tiny.sf2
 */
public class MakeSoundFontSeed {
    public static void main(String[] a) throws Exception {
        SF2Soundbank sf2 = new SF2Soundbank();
        sf2.setName("Pianola fuzz seed");
        SF2Sample sample = new SF2Sample(sf2);
        sample.setName("sine");
        byte[] data = new byte[2 * 256];
        for (int i = 0; i < 256; i++) { short v = (short) (8000 * Math.sin(2 * Math.PI * i / 32)); data[2*i] = (byte) v; data[2*i+1] = (byte) (v >> 8); }
        sample.setData(data);
        sample.setSampleRate(22050);
        sample.setOriginalPitch(60);
        sample.setStartLoop(0); sample.setEndLoop(255);
        sf2.addResource(sample);
        SF2Layer layer = new SF2Layer(sf2);
        layer.setName("sine layer");
        SF2LayerRegion region = new SF2LayerRegion();
        region.setSample(sample);
        region.putInteger(SF2Region.GENERATOR_SAMPLEMODES, 1);
        layer.getRegions().add(region);
        sf2.addResource(layer);
        SF2Instrument ins = new SF2Instrument(sf2);
        ins.setName("piano");
        ins.setPatch(new Patch(0, 0));
        SF2InstrumentRegion ir = new SF2InstrumentRegion();
        ir.setLayer(layer);
        ins.getRegions().add(ir);
        sf2.addInstrument(ins);
        sf2.save(new File(a[0]));
    }
}
