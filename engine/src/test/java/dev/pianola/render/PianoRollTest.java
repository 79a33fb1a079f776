package dev.pianola.render;

import dev.pianola.UsageException;
import dev.pianola.midi.Note;
import dev.pianola.midi.NoteSequence;
import dev.pianola.time.TempoMap;
import dev.pianola.time.TimeSignature;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.GraphicsEnvironment;
import java.awt.Point;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class PianoRollTest {
    /** Two bars of 4/4: a right-hand melody and a left-hand bass, loud and soft. */
    static NoteSequence twoHands() {
        return new NoteSequence(List.of(
                new Note(72, 0, 2, 120, 0),     // C5, right hand, loud
                new Note(76, 2, 1, 40, 0),      // E5, right hand, soft
                new Note(79, 4, 4, 100, 0),     // G5, whole second bar
                new Note(48, 0, 4, 100, 1),     // C3, left hand, whole first bar
                new Note(43, 4, 4, 100, 1)),    // G2, left hand
                TempoMap.constant(100));
    }

    @Test
    void drawsHeadless() {
        assertTrue(GraphicsEnvironment.isHeadless(), "surefire runs with java.awt.headless=true, as servers do");
        BufferedImage image = PianoRoll.draw(twoHands(), "two-hands.mid");
        assertTrue(image.getWidth() >= 480 && image.getHeight() > 100);
    }

    @Test
    void imageSizeFollowsTheMusic() {
        NoteSequence notes = twoHands();
        PianoRoll.Layout layout = PianoRoll.Layout.of(notes);
        BufferedImage image = PianoRoll.draw(notes, "two-hands.mid");
        assertEquals(layout.widthPx(), image.getWidth());
        assertEquals(layout.heightPx(), image.getHeight());
        assertEquals(1, layout.rows().size(), "two bars fit in one row");
        assertEquals(8.0, layout.rows().get(0).endBeats(), 1e-9, "the row ends at the last bar line");
        // pitch range: the notes plus a margin, at least two octaves
        assertTrue(layout.lowPitch() <= 43 - 2 && layout.highPitch() >= 79 + 2);
        int expectedWidth = PianoRoll.MARGIN + PianoRoll.KEYBOARD_WIDTH + (int) Math.round(8 * layout.pxPerBeat()) + PianoRoll.MARGIN + 1;
        assertEquals(Math.max(480, expectedWidth), image.getWidth());
        int expectedHeight = PianoRoll.MARGIN + PianoRoll.TITLE_HEIGHT + PianoRoll.ROW_GAP
                + (layout.highPitch() - layout.lowPitch() + 1) * layout.keyHeightPx() + PianoRoll.MARGIN;
        assertEquals(expectedHeight, image.getHeight());
        // short pieces get 24 px per beat (96 px per 4/4 bar); pitch runs up, one lane per semitone
        assertEquals(24.0, layout.pxPerBeat());
        Point c5AtBeat2 = layout.pointAt(2, 72);
        assertEquals(PianoRoll.MARGIN + PianoRoll.KEYBOARD_WIDTH + 48, c5AtBeat2.x);
        assertEquals(layout.keyHeightPx(), layout.pointAt(2, 71).y - c5AtBeat2.y);
        assertEquals(PianoRoll.MARGIN + PianoRoll.TITLE_HEIGHT + PianoRoll.ROW_GAP + (layout.highPitch() - 72) * layout.keyHeightPx()
                + layout.keyHeightPx() / 2, c5AtBeat2.y);
    }

    @Test
    void noteBarsAreDrawnWhereTheNotesAreInTheirHandsColour() {
        NoteSequence notes = twoHands();
        PianoRoll.Layout layout = PianoRoll.Layout.of(notes);
        BufferedImage image = PianoRoll.draw(notes, "two-hands.mid");
        for (Note n : notes.notes()) {
            Point p = layout.pointAt(n.startBeats() + n.durationBeats() / 2 + 0.1, n.pitch());
            assertEquals(PianoRoll.noteColour(n.channel(), n.velocity()), colour(image, p), "middle of " + n);
        }
        // no note there: the same lanes at times nothing sounds, and lanes no note uses
        assertNotNoteColour(image, layout.pointAt(3.3, 72));
        assertNotNoteColour(image, layout.pointAt(0.5, 60));
        assertNotNoteColour(image, layout.pointAt(6.5, 48));
        // hands differ, and velocity shows as strength: the loud note is darker than the soft one
        assertNotEquals(PianoRoll.noteColour(0, 100), PianoRoll.noteColour(1, 100));
        assertTrue(brightness(PianoRoll.noteColour(0, 120)) < brightness(PianoRoll.noteColour(0, 40)));
        // a note starts where its beat is: the pixel just before C5's start (beat 0) is not the note
        Point start = layout.pointAt(0, 72);
        assertNotEquals(PianoRoll.noteColour(0, 120), colour(image, new Point(start.x - 2, start.y)));
        assertEquals(PianoRoll.noteColour(0, 120), colour(image, new Point(start.x + 2, start.y)));
    }

    @Test
    void barLinesAreDarkerThanBeatLines() {
        NoteSequence notes = new NoteSequence(List.of(new Note(60, 0, 0.5, 80, 0), new Note(60, 7, 1, 80, 0)), TempoMap.constant(120));
        PianoRoll.Layout layout = PianoRoll.Layout.of(notes);
        BufferedImage image = PianoRoll.draw(notes, "lines.mid");
        PianoRoll.Row row = layout.rows().get(0);
        int y = layout.yPx(row, 70) + 1; // an empty lane
        Color bar = colour(image, new Point(layout.xPx(row, 4), y));
        Color beat = colour(image, new Point(layout.xPx(row, 5), y));
        Color lane = colour(image, new Point(layout.xPx(row, 5.5), y));
        assertEquals(PianoRoll.BAR_LINE, bar);
        assertEquals(PianoRoll.BEAT_LINE, beat);
        assertTrue(brightness(bar) < brightness(beat) && brightness(beat) < brightness(lane));
    }

    @Test
    void longPiecesWrapIntoRowsOfWholeBarsWithinTheWidthCap() {
        List<Note> scale = new ArrayList<>();
        for (int bar = 0; bar < 100; bar++) scale.add(new Note(60 + bar % 24, bar * 3.0, 1.5, 90, bar % 2));
        NoteSequence notes = new NoteSequence(scale, TempoMap.constant(90), List.of(new TimeSignature(0, 3, 4)), List.of(), List.of());
        PianoRoll.Layout layout = PianoRoll.Layout.of(notes);
        BufferedImage image = PianoRoll.draw(notes, "waltz.mid");
        assertTrue(layout.rows().size() >= 2, "100 bars need several rows");
        assertTrue(image.getWidth() <= PianoRoll.MAX_ROW_WIDTH_PX + 200, "width " + image.getWidth());
        for (PianoRoll.Row row : layout.rows()) {
            assertEquals(0, row.startBeats() % 3.0, 1e-9, "rows start on a bar line");
            double perBar = layout.pxPerBeat() * 3;
            assertTrue(perBar >= 36 && perBar <= 120, "bar width " + perBar);
        }
        int barsFirst = layout.rows().get(0).barLines().size() - 1, barsLast = layout.rows().get(layout.rows().size() - 1).barLines().size() - 1;
        assertTrue(barsFirst - barsLast <= layout.rows().size(), "rows are balanced: " + barsFirst + " vs " + barsLast);
        Note last = scale.get(99);
        Point p = layout.pointAt(last.startBeats() + 0.7, last.pitch());
        assertTrue(p.y > layout.rows().get(0).topPx() + 100, "the last bar is drawn in a later row");
        assertEquals(PianoRoll.noteColour(last.channel(), last.velocity()), colour(image, p));
    }

    @Test
    void aTenHourPieceIsCutToABoundedPictureAndTheTitleSaysSo() {
        // a note at the start and a stray one ten hours in (120 BPM: 72,000 beats)
        NoteSequence notes = new NoteSequence(List.of(new Note(60, 0, 1, 100, 0), new Note(64, 72_000, 1, 100, 0)), TempoMap.constant(120));
        long t0 = System.nanoTime();
        PianoRoll.Layout layout = PianoRoll.Layout.of(notes);
        assertTrue(layout.cut());
        assertEquals(PianoRoll.MAX_ROWS, layout.rows().size());
        assertTrue((long) layout.widthPx() * layout.heightPx() < 50_000_000L, layout.widthPx() + " x " + layout.heightPx() + " px");
        BufferedImage image = PianoRoll.draw(notes, "stray.mid");
        assertEquals(layout.heightPx(), image.getHeight());
        assertTrue(System.nanoTime() - t0 < 20e9, "drawn in reasonable time");
        double drawnBeats = layout.rows().get(layout.rows().size() - 1).endBeats();
        assertTrue(drawnBeats > 3600 && drawnBeats % 4 == 0, "about half an hour or more, to a bar line: " + drawnBeats);
        String facts = PianoRoll.facts(notes, layout);
        assertTrue(facts.contains("10:00:01"), facts);
        assertTrue(facts.contains("cut: only bars 1–" + (int) (drawnBeats / 4) + " (the first "), facts);
        // the picture holds the first note still
        assertEquals(PianoRoll.noteColour(0, 100), colour(image, layout.pointAt(0.5, 60)));
        // ordinary pieces are not cut
        assertFalse(PianoRoll.Layout.of(twoHands()).cut());
        assertFalse(PianoRoll.facts(twoHands(), PianoRoll.Layout.of(twoHands())).contains("cut"));
    }

    @Test
    void writesAPngAndHonoursForce(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("roll.png");
        PianoRoll.write(twoHands(), "two-hands.mid", png, false);
        BufferedImage back = ImageIO.read(png.toFile());
        assertEquals(PianoRoll.Layout.of(twoHands()).widthPx(), back.getWidth());
        byte[] first = Files.readAllBytes(png);
        NoteSequence other = twoHands().withNotes(List.of(new Note(60, 0, 1, 100, 0)));
        assertThrows(UsageException.class, () -> PianoRoll.write(other, "other.mid", png, false));
        assertArrayEquals(first, Files.readAllBytes(png), "an existing file is untouched without --force");
        PianoRoll.write(other, "other.mid", png, true);
        assertFalse(java.util.Arrays.equals(first, Files.readAllBytes(png)));
    }

    @Test
    void anEmptySequenceStillDraws() {
        NoteSequence empty = new NoteSequence(List.of(), TempoMap.constant(120));
        BufferedImage image = PianoRoll.draw(empty, "empty.mid");
        assertTrue(image.getWidth() > 0 && image.getHeight() > 0);
    }

    static Color colour(BufferedImage image, Point p) {
        return new Color(image.getRGB(p.x, p.y));
    }

    static void assertNotNoteColour(BufferedImage image, Point p) {
        Color c = colour(image, p);
        for (int ch = 0; ch < 2; ch++) {
            for (int v = 1; v <= 127; v++) assertNotEquals(PianoRoll.noteColour(ch, v), c, "no note at " + p);
        }
    }

    static double brightness(Color c) {
        return 0.299 * c.getRed() + 0.587 * c.getGreen() + 0.114 * c.getBlue();
    }

    /** The title quotes the tempo the CLI reports (NoteSequence.mainBpm), not a pickup's. */
    @Test
    void theTitleQuotesTheMainTempo() {
        TempoMap pickup = new TempoMap(List.of(new TempoMap.Change(0, 103.36), new TempoMap.Change(1, 107.75)));
        NoteSequence notes = new NoteSequence(List.of(new Note(60, 0, 1, 80, 0), new Note(64, 30, 1, 80, 0)), pickup);
        assertEquals(107.75, notes.mainBpm());
        String facts = PianoRoll.facts(notes, PianoRoll.Layout.of(notes));
        assertTrue(facts.startsWith(TempoMap.bpmText(notes.mainBpm()) + " BPM (103.4–107.8)"), facts);
        NoteSequence steady = new NoteSequence(notes.notes(), TempoMap.constant(108));
        assertTrue(PianoRoll.facts(steady, PianoRoll.Layout.of(steady)).startsWith("108 BPM   ·"), PianoRoll.facts(steady, PianoRoll.Layout.of(steady)));
    }
}
