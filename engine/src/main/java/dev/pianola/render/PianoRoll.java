package dev.pianola.render;

import dev.pianola.io.AtomicFiles;
import dev.pianola.midi.Note;
import dev.pianola.midi.NoteSequence;
import dev.pianola.time.TempoMap;
import dev.pianola.time.TimeSignature;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Point;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * A piano-roll picture of a {@link NoteSequence}, laid out like a score: time runs left to right in
 * beats (a fixed width per beat, so bars look alike), long pieces wrap into rows (systems) at bar
 * lines, pitch runs up with a keyboard strip labelled at every C. Bar lines are darker than beat
 * lines; a note's colour is its channel (channel 1 = right hand, blue; channel 2 = left hand,
 * orange; drums grey) and its strength is its velocity. Drawn with plain java.awt, so it works
 * headless. Very long pieces are drawn up to {@link #MAX_ROWS} rows and cut there at a bar line
 * (the title says so), so that the picture stays a bounded size.
 */
public final class PianoRoll {
    /** Widest row of notes; a row holds as many whole bars as fit. */
    public static final int MAX_ROW_WIDTH_PX = 3200;
    /**
     * Most rows drawn. At the narrowest beats (12 px) that is about 6,400 beats of music, 35 to 55
     * minutes at usual tempos, in a picture of at most about 3,300 x 13,000 px (170 MB as RGB).
     * Without a cap a stray event 10 hours in would ask for gigabytes of image.
     */
    public static final int MAX_ROWS = 24;
    /** Narrowest beat: long pieces go down to it before the row cap cuts them. */
    static final double MIN_PX_PER_BEAT = 12;

    static final int MARGIN = 16, TITLE_HEIGHT = 46, KEYBOARD_WIDTH = 40, ROW_GAP = 26;
    static final Color PAPER = new Color(0xfb, 0xfb, 0xf8);
    static final Color WHITE_KEY_ROW = new Color(0xf6, 0xf6, 0xf2), BLACK_KEY_ROW = new Color(0xe9, 0xe9, 0xe4);
    static final Color BEAT_LINE = new Color(0xd8, 0xd8, 0xd2), BAR_LINE = new Color(0x8a, 0x8a, 0x84), OCTAVE_LINE = new Color(0xc8, 0xc8, 0xc0);
    static final Color INK = new Color(0x22, 0x22, 0x22), FAINT_INK = new Color(0x77, 0x77, 0x70);
    private static final Color[] CHANNEL_COLOURS = {
            new Color(0x1f, 0x5f, 0xd0),  // 1: right hand
            new Color(0xe0, 0x6a, 0x10),  // 2: left hand
            new Color(0x2a, 0x9d, 0x50), new Color(0x8e, 0x44, 0xad), new Color(0xc0, 0x2f, 0x5a),
            new Color(0x1a, 0x9a, 0xa8), new Color(0x9a, 0x7b, 0x10), new Color(0x5a, 0x6b, 0xd8),
            new Color(0xb0, 0x50, 0x30),
            new Color(0x60, 0x60, 0x60),  // 10: drums
            new Color(0x40, 0x80, 0x40), new Color(0xa0, 0x40, 0x90), new Color(0x30, 0x70, 0x90),
            new Color(0x90, 0x60, 0x20), new Color(0x70, 0x40, 0xc0), new Color(0x30, 0x90, 0x70)};

    private PianoRoll() {}

    /** Draws the picture; {@code name} (usually the file name) heads the title line. */
    public static BufferedImage draw(NoteSequence notes, String name) {
        return draw(notes, name, Map.of());
    }

    /**
     * As {@link #draw(NoteSequence, String)}, with the legend naming channels as given (e.g. 0 =
     * "phrase", 1 = "continuation"); channels not named get the default labels.
     */
    public static BufferedImage draw(NoteSequence notes, String name, Map<Integer, String> channelNames) {
        Layout layout = Layout.of(notes);
        BufferedImage image = new BufferedImage(layout.widthPx(), layout.heightPx(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(PAPER);
            g.fillRect(0, 0, image.getWidth(), image.getHeight());
            drawTitle(g, notes, name, layout, channelNames);
            for (Row row : layout.rows()) drawRow(g, notes, layout, row);
        } finally {
            g.dispose();
        }
        return image;
    }

    /** Draws and writes a PNG atomically; an existing file is replaced only with {@code force}. */
    public static void write(NoteSequence notes, String name, Path png, boolean force) {
        write(notes, name, Map.of(), png, force);
    }

    /** As {@link #write(NoteSequence, String, Path, boolean)} with named channels in the legend. */
    public static void write(NoteSequence notes, String name, Map<Integer, String> channelNames, Path png, boolean force) {
        AtomicFiles.checkWritable(png, force);
        BufferedImage image = draw(notes, name, channelNames);
        // the format the name says: JPEG for .jpg/.jpeg, PNG otherwise
        String file = png.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        String format = file.endsWith(".jpg") || file.endsWith(".jpeg") ? "jpg" : "png";
        AtomicFiles.write(png, force, out -> {
            if (!ImageIO.write(image, format, out)) throw new java.io.IOException("no " + format + " writer available");
        });
    }

    /** The colour of a note bar: its channel's colour, paler for softer notes. */
    static Color noteColour(int channel, int velocity) {
        Color base = CHANNEL_COLOURS[channel];
        double strength = 0.25 + 0.75 * velocity / 127.0;
        return mix(WHITE_KEY_ROW, base, strength);
    }

    // --- layout ---

    /** One row of the picture: the beats it shows and where it sits. */
    record Row(int index, double startBeats, double endBeats, List<Double> barLines, int firstBar, int topPx) {}

    /** Where everything goes: rows of whole bars, a pitch range, sizes in pixels. */
    record Layout(List<Row> rows, int lowPitch, int highPitch, int keyHeightPx, double pxPerBeat, int widthPx, int heightPx, boolean cut) {
        static Layout of(NoteSequence notes) {
            int lo = 127, hi = 0;
            for (Note n : notes.notes()) {
                lo = Math.min(lo, n.pitch());
                hi = Math.max(hi, n.pitch());
            }
            if (notes.notes().isEmpty()) {
                lo = 48;
                hi = 84;
            }
            lo = Math.max(0, lo - 2);
            hi = Math.min(127, hi + 2);
            while (hi - lo + 1 < 25) { // at least two octaves, so a melody does not look like a cliff
                if (lo > 0) lo--;
                if (hi < 127 && hi - lo + 1 < 25) hi++;
            }
            int keyHeight = Math.max(4, Math.min(10, Math.round(440f / (hi - lo + 1))));
            int rowHeight = (hi - lo + 1) * keyHeight;

            // bar lines only as far as MAX_ROWS rows can show, so their number is bounded too
            double endBeats = Math.min(Math.max(notes.endBeats(), 1e-9), MAX_ROWS * MAX_ROW_WIDTH_PX / MIN_PX_PER_BEAT);
            List<Double> bars = new ArrayList<>(TimeSignature.barLines(notes.timeSignatures(), endBeats));
            double last = bars.get(bars.size() - 1);
            if (last < endBeats - 1e-9 || bars.size() == 1) bars.add(last + barBeatsAt(notes.timeSignatures(), last)); // close the last bar
            // long pieces get narrower beats, so the picture stays a few rows tall
            double pxPerBeat = 24;
            List<List<Double>> split = splitRows(bars, pxPerBeat);
            if (split.size() > 12) split = splitRows(bars, pxPerBeat = 16);
            if (split.size() > 16) split = splitRows(bars, pxPerBeat = MIN_PX_PER_BEAT);
            if (split.size() > MAX_ROWS) split = split.subList(0, MAX_ROWS);

            List<Row> rows = new ArrayList<>();
            int top = MARGIN + TITLE_HEIGHT + ROW_GAP, firstBar = 1, widest = 0;
            for (List<Double> rowBars : split) {
                double start = rowBars.get(0), end = rowBars.get(rowBars.size() - 1);
                rows.add(new Row(rows.size(), start, end, rowBars, firstBar, top));
                widest = Math.max(widest, (int) Math.round((end - start) * pxPerBeat));
                firstBar += rowBars.size() - 1;
                top += rowHeight + ROW_GAP;
            }
            int width = MARGIN + KEYBOARD_WIDTH + widest + MARGIN + 1;
            int height = top - ROW_GAP + MARGIN;
            boolean cut = rows.get(rows.size() - 1).endBeats() < notes.endBeats() - 1e-9;
            return new Layout(List.copyOf(rows), lo, hi, keyHeight, pxPerBeat, Math.max(width, 480), height, cut);
        }

        /**
         * Bar lines split into rows of whole bars no wider than {@link #MAX_ROW_WIDTH_PX}, about the
         * same number of bars in each (no lonely last bar); each row lists its bar lines, both ends included.
         */
        private static List<List<Double>> splitRows(List<Double> bars, double pxPerBeat) {
            int rowCount = greedyRows(bars, pxPerBeat, Integer.MAX_VALUE).size();
            int barsPerRow = (int) Math.ceil((bars.size() - 1) / (double) rowCount);
            return greedyRows(bars, pxPerBeat, barsPerRow);
        }

        private static List<List<Double>> greedyRows(List<Double> bars, double pxPerBeat, int maxBars) {
            List<List<Double>> rows = new ArrayList<>();
            List<Double> current = new ArrayList<>(List.of(bars.get(0)));
            for (int i = 1; i < bars.size(); i++) {
                boolean full = (bars.get(i) - current.get(0)) * pxPerBeat > MAX_ROW_WIDTH_PX || current.size() > maxBars;
                if (full && current.size() > 1) {
                    rows.add(current);
                    current = new ArrayList<>(List.of(bars.get(i - 1)));
                }
                current.add(bars.get(i));
            }
            rows.add(current);
            return rows;
        }

        int rowHeightPx() {
            return (highPitch - lowPitch + 1) * keyHeightPx;
        }

        int xPx(Row row, double beats) {
            return MARGIN + KEYBOARD_WIDTH + (int) Math.round((beats - row.startBeats()) * pxPerBeat);
        }

        /** Top pixel of a pitch's lane in a row. */
        int yPx(Row row, int pitch) {
            return row.topPx() + (highPitch - pitch) * keyHeightPx;
        }

        /** The row showing a beat (the later row at a shared bar line). */
        Row rowAt(double beats) {
            Row found = rows.get(0);
            for (Row r : rows) if (r.startBeats() <= beats + 1e-9) found = r;
            return found;
        }

        /** The pixel at the middle of a pitch's lane at a beat: where a note sounding then is drawn. */
        Point pointAt(double beats, int pitch) {
            Row row = rowAt(beats);
            return new Point(xPx(row, beats), yPx(row, pitch) + keyHeightPx / 2);
        }
    }

    private static double barBeatsAt(List<TimeSignature> meters, double beats) {
        double bar = 4;
        for (TimeSignature t : meters) if (t.beats() <= beats + 1e-9) bar = t.barBeats();
        return bar;
    }

    private static TimeSignature meterAt(List<TimeSignature> meters, double beats) {
        TimeSignature m = TimeSignature.FOUR_FOUR;
        for (TimeSignature t : meters) if (t.beats() <= beats + 1e-9) m = t;
        return m;
    }

    // --- drawing ---

    private static void drawTitle(Graphics2D g, NoteSequence notes, String name, Layout layout, Map<Integer, String> channelNames) {
        g.setColor(INK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 17));
        g.drawString(name, MARGIN, MARGIN + 17);
        int x = MARGIN + g.getFontMetrics().stringWidth(name) + 14;
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        g.setColor(FAINT_INK);
        g.drawString(facts(notes, layout), x, MARGIN + 17);

        // legend: one swatch per channel that plays
        TreeSet<Integer> channels = new TreeSet<>();
        for (Note n : notes.notes()) channels.add(n.channel());
        int lx = MARGIN, ly = MARGIN + 38;
        FontMetrics fm = g.getFontMetrics();
        boolean hands = channels.stream().allMatch(ch -> ch <= 1); // a piano part: channel 1 right hand, 2 left
        for (int ch : channels) {
            g.setColor(noteColour(ch, 110));
            g.fillRect(lx, ly - 10, 18, 10);
            g.setColor(FAINT_INK);
            String label = channelNames.containsKey(ch) ? "ch " + (ch + 1) + " · " + channelNames.get(ch) : channelLabel(ch, hands);
            g.drawString(label, lx + 24, ly);
            lx += 24 + fm.stringWidth(label) + 18;
            if (lx > layout.widthPx() - 160) break;
        }
    }

    /** The title's facts: tempo, meter, length, notes, and how much is drawn when the picture is cut. */
    static String facts(NoteSequence notes, Layout layout) {
        TimeSignature meter = notes.timeSignatures().isEmpty() ? TimeSignature.FOUR_FOUR : notes.timeSignatures().get(0);
        String facts = String.join("   ·   ", tempoText(notes), meter.numerator() + "/" + meter.denominator(),
                durationText(notes.endSeconds()), notes.notes().size() + (notes.notes().size() == 1 ? " note" : " notes"));
        if (!layout.cut()) return facts;
        Row last = layout.rows().get(layout.rows().size() - 1);
        int bars = last.firstBar() + last.barLines().size() - 2;
        return facts + "   ·   cut: only bars 1–" + bars + " (the first " + durationText(notes.tempo().secondsAt(last.endBeats())) + ") drawn";
    }

    private static String channelLabel(int ch, boolean hands) {
        return switch (ch) {
            case 0 -> hands ? "ch 1 · right hand" : "ch 1";
            case 1 -> hands ? "ch 2 · left hand" : "ch 2";
            case 9 -> "ch 10 · drums";
            default -> "ch " + (ch + 1);
        };
    }

    /** The quoted tempo ({@link NoteSequence#mainBpm}), with the range when the tempo changes. */
    static String tempoText(NoteSequence notes) {
        double min = Double.MAX_VALUE, max = 0;
        for (TempoMap.Change c : notes.tempo().changes()) {
            min = Math.min(min, c.bpm());
            max = Math.max(max, c.bpm());
        }
        String main = TempoMap.bpmText(notes.mainBpm()) + " BPM";
        return TempoMap.bpmText(min).equals(TempoMap.bpmText(max)) ? main : main + " (" + TempoMap.bpmText(min) + "–" + TempoMap.bpmText(max) + ")";
    }

    private static String durationText(double seconds) {
        long s = Math.round(seconds);
        if (s >= 3600) return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
        return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    private static void drawRow(Graphics2D g, NoteSequence notes, Layout layout, Row row) {
        int left = MARGIN + KEYBOARD_WIDTH, right = layout.xPx(row, row.endBeats());
        int top = row.topPx(), height = layout.rowHeightPx(), key = layout.keyHeightPx();

        // pitch lanes: black-key lanes darker, a line under every C
        for (int p = layout.lowPitch(); p <= layout.highPitch(); p++) {
            int y = layout.yPx(row, p);
            g.setColor(isBlack(p) ? BLACK_KEY_ROW : WHITE_KEY_ROW);
            g.fillRect(left, y, right - left, key);
            if (p % 12 == 0) {
                g.setColor(OCTAVE_LINE);
                g.drawLine(left, y + key - 1, right - 1, y + key - 1);
            }
        }
        // beat lines, then bar lines over them, with bar numbers above
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        for (int b = 0; b + 1 < row.barLines().size(); b++) {
            double barStart = row.barLines().get(b), barEnd = row.barLines().get(b + 1);
            double beat = 4.0 / meterAt(notes.timeSignatures(), barStart).denominator();
            g.setColor(BEAT_LINE);
            for (double t = barStart + beat; t < barEnd - 1e-9; t += beat) {
                int x = layout.xPx(row, t);
                g.drawLine(x, top, x, top + height - 1);
            }
            g.setColor(FAINT_INK);
            g.drawString(Integer.toString(row.firstBar() + b), layout.xPx(row, barStart) + 3, top - 5);
        }
        g.setColor(BAR_LINE);
        for (double bar : row.barLines()) {
            int x = Math.min(layout.xPx(row, bar), right);
            g.drawLine(x, top, x, top + height - 1);
        }

        // notes, the part of each that falls in this row; louder notes last so they stay on top
        List<Note> inRow = new ArrayList<>();
        for (Note n : notes.notes()) {
            if (n.endBeats() > row.startBeats() && n.startBeats() < row.endBeats() - 1e-9
                    && n.pitch() >= layout.lowPitch() && n.pitch() <= layout.highPitch()) inRow.add(n);
        }
        inRow.sort(java.util.Comparator.comparingInt(Note::velocity));
        for (Note n : inRow) {
            int x0 = layout.xPx(row, Math.max(n.startBeats(), row.startBeats()));
            int x1 = layout.xPx(row, Math.min(n.endBeats(), row.endBeats()));
            int w = Math.max(2, x1 - x0 - 1), y = layout.yPx(row, n.pitch());
            Color fill = noteColour(n.channel(), n.velocity());
            g.setColor(fill);
            g.fillRect(x0, y, w, key - 1);
            if (key >= 5 && w >= 5) { // an outline separates repeated and touching notes
                g.setColor(mix(fill, Color.BLACK, 0.35));
                g.drawRect(x0, y, w - 1, key - 2);
            }
        }
        drawKeyboard(g, layout, row);
        g.setColor(BAR_LINE);
        g.setStroke(new BasicStroke(1));
        g.drawRect(MARGIN, top, right - MARGIN, height - 1);
    }

    private static void drawKeyboard(Graphics2D g, Layout layout, Row row) {
        int key = layout.keyHeightPx();
        int labelSize = Math.max(8, Math.min(11, key + 3));
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, labelSize));
        for (int p = layout.lowPitch(); p <= layout.highPitch(); p++) {
            int y = layout.yPx(row, p);
            g.setColor(Color.WHITE);
            g.fillRect(MARGIN, y, KEYBOARD_WIDTH, key);
            if (isBlack(p)) {
                g.setColor(new Color(0x2a, 0x2a, 0x2a));
                g.fillRect(MARGIN, y, KEYBOARD_WIDTH * 3 / 5, key);
            }
            if (p % 12 == 0 || p % 12 == 5) { // the white-key borders without a black key between: B|C and E|F
                g.setColor(new Color(0xb0, 0xb0, 0xa8));
                g.drawLine(MARGIN, y + key - 1, MARGIN + KEYBOARD_WIDTH - 1, y + key - 1);
            }
            if (p % 12 == 0) {
                String label = "C" + (p / 12 - 1);
                g.setColor(INK);
                int w = g.getFontMetrics().stringWidth(label);
                g.drawString(label, MARGIN + KEYBOARD_WIDTH - w - 3, y + key / 2 + labelSize / 2 - 1);
            }
        }
        g.setColor(BAR_LINE);
        g.drawLine(MARGIN + KEYBOARD_WIDTH, row.topPx(), MARGIN + KEYBOARD_WIDTH, row.topPx() + layout.rowHeightPx() - 1);
    }

    private static boolean isBlack(int pitch) {
        int pc = pitch % 12;
        return pc == 1 || pc == 3 || pc == 6 || pc == 8 || pc == 10;
    }

    private static Color mix(Color a, Color b, double t) {
        return new Color((int) Math.round(a.getRed() + (b.getRed() - a.getRed()) * t),
                (int) Math.round(a.getGreen() + (b.getGreen() - a.getGreen()) * t),
                (int) Math.round(a.getBlue() + (b.getBlue() - a.getBlue()) * t));
    }
}
