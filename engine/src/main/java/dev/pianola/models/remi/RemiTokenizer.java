package dev.pianola.models.remi;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pianola.ModelException;
import dev.pianola.midi.MidiFiles;
import dev.pianola.midi.Note;
import dev.pianola.midi.NoteSequence;
import dev.pianola.time.TempoMap;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static dev.pianola.models.remi.RemiConstants.*;

/**
 * The MidiTok REMI+BPE tokenizer of {@code Natooz/Maestro-REMI-bpe20k}, read from its tokenizer
 * file, with MidiTok 2.0.6's encode and decode (the version the model was trained with).
 *
 * <p>Files: MidiTok 2.0.6 ({@code tokenizer.conf}, flat keys, {@code _bpe_model}), 2.1
 * ({@code "config"} dict, {@code _bpe_model}) and 3.0.3 or later ({@code tokenizer.json},
 * {@code _model}) all load; the BPE model is the double-encoded JSON string they store, with
 * merges as {@code "a b"} strings or {@code [a, b]} pairs. The config dict is not read: every bin
 * comes from the vocabulary (see {@link RemiVocabulary}).
 *
 * <p>Tracks: MidiTok tokenizes each track on its own and the paper trained on the first one. A
 * {@link NoteSequence} already has every track merged, so encode tokenizes all its notes except
 * the drum channel's as one track. For the single-piano-track files of MAESTRO that is exactly the
 * paper's {@code tokens[0]}; for a DAW prompt it is what the player played.
 *
 * <p>Model ids are BPE ids: {@code [BOS_ID] + encode(prompt)} is the model's input, and
 * {@link #decode} turns generated ids back into notes.
 */
public final class RemiTokenizer {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final RemiVocabulary vocab;
    private final BytePairModel bpe;
    private final RemiCodec codec;

    private RemiTokenizer(Path file, RemiVocabulary vocab, BytePairModel bpe) {
        this.file = file;
        this.vocab = vocab;
        this.bpe = bpe;
        this.codec = new RemiCodec(vocab);
    }

    /**
     * The tokenizer a GPT-2 package was trained with: one of the package's listed files (so its
     * sha256 was checked), with as many tokens as the model has.
     */
    public static RemiTokenizer of(Gpt2Generator gpt) {
        Path tokenizerFile = gpt.modelPackage().manifest().files().stream().map(f -> f.path())
                .filter(f -> f.equals("tokenizer.json") || f.equals("tokenizer.conf")).findFirst()
                .map(f -> gpt.modelPackage().file(f))
                .orElseThrow(() -> new ModelException(gpt.modelPackage().manifestFile(),
                        "lists no tokenizer.json or tokenizer.conf (export it from a checkpoint that has its MidiTok tokenizer)"));
        RemiTokenizer tokenizer = load(tokenizerFile);
        if (tokenizer.vocabularySize() != gpt.vocabSize()) {
            throw new ModelException(tokenizerFile, "has " + tokenizer.vocabularySize() + " tokens, the model " + gpt.vocabSize());
        }
        return tokenizer;
    }

    /** Reads a MidiTok tokenizer file; any problem is a {@link ModelException} naming the file. */
    public static RemiTokenizer load(Path file) {
        JsonNode root = readJson(file, "tokenizer file");
        String tokenization = root.path(KEY_TOKENIZATION).asText(TOKENIZATION_REMI);
        if (!tokenization.equals(TOKENIZATION_REMI))
            throw new ModelException(file, "tokenization is " + tokenization + ", expected " + TOKENIZATION_REMI);
        JsonNode modelNode = root.has(KEY_MODEL) ? root.get(KEY_MODEL) : root.get(KEY_MODEL_OLD);
        if (modelNode == null)
            throw new ModelException(file, "no BPE model: neither " + KEY_MODEL + " (MidiTok >= 3.0.3) nor " + KEY_MODEL_OLD + " (MidiTok 2.x) is there");
        JsonNode model;
        if (modelNode.isTextual()) { // MidiTok stores tokenizers' to_str() as a JSON string inside the JSON
            try {
                model = JSON.readTree(modelNode.asText());
            } catch (JsonProcessingException e) {
                throw new ModelException(file, "the BPE model string is not valid JSON (" + e.getOriginalMessage() + ")", e);
            }
        } else {
            model = modelNode;
        }
        if (model == null || !model.isObject()) throw new ModelException(file, "the BPE model is not a JSON object");
        RemiVocabulary vocab = new RemiVocabulary(intMap(root, KEY_VOCAB_BASE, file), stringMap(root, KEY_BYTE_TO_TOKEN, file), file);
        return new RemiTokenizer(file, vocab, new BytePairModel(model, vocab, file));
    }

    /** Number of BPE ids: the model's vocabulary size. */
    public int vocabularySize() {
        return bpe.size();
    }

    /** Number of REMI base tokens (162 for the paper's configuration). */
    public int baseVocabularySize() {
        return vocab.size();
    }

    /** BPE ids of a note sequence at 384 ticks per quarter, the time division of the paper's data. No BOS. */
    public int[] encode(NoteSequence notes) {
        return encode(notes, TICKS_PER_QUARTER);
    }

    /**
     * BPE ids of a note sequence on a grid of {@code ticksPerQuarter} (MidiTok quantizes at the
     * MIDI file's own resolution, so parity with it needs the file's value). No BOS.
     */
    public int[] encode(NoteSequence notes, int ticksPerQuarter) {
        return applyBpe(baseIds(remiTokens(notes, ticksPerQuarter)));
    }

    /**
     * BPE ids of a MIDI file as the paper's pipeline saw it: notes paired by miditoolkit's rules
     * ({@link MiditoolkitNotes}), quantized at the file's own resolution as MidiTok does. No BOS.
     */
    public int[] encode(Path midiFile) {
        return applyBpe(baseIds(remiTokens(midiFile)));
    }

    /** REMI base tokens (no BPE) of a MIDI file, read as {@link #encode(Path)} reads it. */
    public List<String> remiTokens(Path midiFile) {
        MiditoolkitNotes.TickNotes read = MiditoolkitNotes.read(midiFile);
        if (read.ticksPerQuarter() < vocab.positionsPerBeat()) {
            // MidiTok's grid step would be int(tpq / positions) = 0 ticks: it fails on such a file too
            throw new dev.pianola.BadInputException(midiFile, "its time division of " + read.ticksPerQuarter()
                    + " ticks per quarter is coarser than REMI's grid of " + vocab.positionsPerBeat() + " positions per beat");
        }
        return tokensOfTicks(read.notes(), read.ticksPerQuarter(), midiFile);
    }

    /** REMI base tokens (no BPE) of the notes, after MidiTok's preprocessing. */
    public List<String> remiTokens(NoteSequence notes, int ticksPerQuarter) {
        List<RemiNote> ticks = new ArrayList<>();
        for (Note n : notes.notes()) {
            if (n.channel() == MidiFiles.DRUM_CHANNEL) continue;
            // beats came from ticks / resolution, so rounding gives the file's ticks back exactly
            long start = Math.round(n.startBeats() * ticksPerQuarter), end = Math.round(n.endBeats() * ticksPerQuarter);
            ticks.add(new RemiNote(n.pitch(), start, end, n.velocity()));
        }
        return tokensOfTicks(ticks, ticksPerQuarter, null);
    }

    /**
     * REMI base tokens of the notes followed by a rest until {@code restUntilBeats} (on the notes'
     * timeline): the Bar tokens up to the bar it falls in, and its Position (Position_0 on a bar
     * line). This is REMI's way of saying where the next note comes, so a model given these tokens
     * writes its next note there, not where the notes end. Nothing is added when that point is in
     * the bar of the last onset at or before its position (nothing to say).
     */
    public List<String> remiTokensWithRest(NoteSequence notes, double restUntilBeats) {
        List<String> tokens = new ArrayList<>(remiTokens(notes, TICKS_PER_QUARTER));
        int positionsPerBeat = vocab.positionsPerBeat();
        long barsBegun = 0, lastPosition = -1;
        for (String t : tokens) {
            if (t.startsWith(BAR + "_")) {
                barsBegun++;
                lastPosition = -1;
            } else if (t.startsWith(POSITION + "_")) {
                lastPosition = Long.parseLong(t.substring(POSITION.length() + 1));
            }
        }
        // on the grid, as the notes' onsets are: a rest that ends between two positions ends at the later one
        long at = (long) Math.ceil(restUntilBeats * positionsPerBeat - 1e-6);
        long positionsPerBar = (long) positionsPerBeat * BEATS_PER_BAR;
        long bar = Math.floorDiv(at, positionsPerBar), position = Math.floorMod(at, positionsPerBar);
        if (bar > MAX_ENCODED_BARS) throw new dev.pianola.BadInputException("cannot encode a rest to bar " + bar + "; REMI encodes at most " + MAX_ENCODED_BARS + " bars");
        for (long b = barsBegun - 1; b < bar; b++) {
            tokens.add(BAR + "_" + NONE);
            lastPosition = -1;
        }
        if (position > lastPosition && bar >= barsBegun - 1) tokens.add(POSITION + "_" + position);
        return tokens;
    }

    /** {@code file}: where the notes came from, named when they cannot be encoded; null for notes given as such. */
    private List<String> tokensOfTicks(List<RemiNote> notes, int ticksPerQuarter, Path file) {
        if (ticksPerQuarter < vocab.positionsPerBeat())
            throw new IllegalArgumentException("ticks per quarter " + ticksPerQuarter + " is below the grid of " + vocab.positionsPerBeat() + " positions per beat");
        List<RemiNote> preprocessed = codec.preprocess(notes, ticksPerQuarter);
        long lastStart = preprocessed.isEmpty() ? 0 : preprocessed.get(preprocessed.size() - 1).startTick();
        long bars = Math.floorDiv(lastStart, (long) ticksPerQuarter * BEATS_PER_BAR) + 1;
        if (bars > MAX_ENCODED_BARS) {
            String problem = "its last note starts in bar " + bars + "; REMI encodes at most " + MAX_ENCODED_BARS + " bars";
            throw file == null ? new dev.pianola.BadInputException("cannot encode these notes for REMI: " + problem) : new dev.pianola.BadInputException(file, problem);
        }
        return codec.tokens(preprocessed, ticksPerQuarter);
    }

    /** Base ids of base tokens. */
    public int[] baseIds(List<String> tokens) {
        return tokens.stream().mapToInt(vocab::id).toArray();
    }

    /**
     * BPE ids of base ids (MidiTok {@code apply_bpe}). As in tokenizers, a base token that the
     * trained vocabulary never saw is dropped; with the paper's MAESTRO-trained vocabulary that
     * cannot happen for notes in range.
     */
    public int[] applyBpe(int[] baseIds) {
        StringBuilder text = new StringBuilder(baseIds.length);
        for (int id : baseIds) {
            if (id < 0 || id >= vocab.size()) throw new IllegalArgumentException("base id " + id + " outside 0.." + (vocab.size() - 1));
            text.append(RemiVocabulary.charOf(id));
        }
        return bpe.encode(text.toString());
    }

    /** Base tokens of BPE ids: each id's string, each character one base token (MidiTok {@code decode_bpe}). */
    public List<String> decodeBpe(int[] ids) {
        List<String> tokens = new ArrayList<>();
        for (int id : ids) {
            String s = bpe.string(id);
            if (s == null) throw new ModelException(file, "id " + id + " is outside the BPE vocabulary of " + bpe.size());
            for (int i = 0; i < s.length(); i++) tokens.add(vocab.token(vocab.idOfChar(s.charAt(i))).text());
        }
        return tokens;
    }

    /** For each BPE id, how many Bar tokens it holds; -1 until first asked. */
    private int[] barsOfId;

    /** How many bars a BPE id begins (its Bar base tokens: a merged token may hold several, or none). */
    public synchronized int barsIn(int id) {
        if (barsOfId == null) {
            barsOfId = new int[bpe.size()];
            java.util.Arrays.fill(barsOfId, -1);
        }
        if (id < 0 || id >= barsOfId.length) throw new ModelException(file, "id " + id + " is outside the BPE vocabulary of " + bpe.size());
        if (barsOfId[id] < 0) {
            int bars = 0;
            for (String t : decodeBpe(new int[] {id})) if (t.startsWith(RemiConstants.BAR + "_")) bars++;
            barsOfId[id] = bars;
        }
        return barsOfId[id];
    }

    /** Per BPE id, worked out once (see {@link #timeOfIds}): the Position it opens with, and where it leaves the text. */
    private int[][] timeOfIds;

    /**
     * For each BPE id, in REMI's time: {@code [0][id]} the Position its base tokens open with
     * before any Bar (-1: it opens with a Bar, or holds no Position), {@code [1][id]} the Position
     * the text is at after it ({@link RemiTimeOrder#UNCHANGED} when it holds neither Bar nor Position, -1 after a Bar with no
     * Position after it). Shared, not to be changed.
     */
    synchronized int[][] timeOfIds() {
        if (timeOfIds == null) {
            int[] opens = new int[bpe.size()], leaves = new int[bpe.size()];
            for (int id = 0; id < bpe.size(); id++) {
                int open = -1, at = RemiTimeOrder.UNCHANGED;
                boolean barSeen = false;
                for (String t : decodeBpe(new int[] {id})) {
                    if (t.startsWith(BAR + "_")) {
                        barSeen = true;
                        at = -1;
                    } else if (t.startsWith(POSITION + "_")) {
                        at = Integer.parseInt(t.substring(POSITION.length() + 1));
                        if (!barSeen && open < 0) open = at;
                    }
                }
                opens[id] = open;
                leaves[id] = at;
            }
            timeOfIds = new int[][] {opens, leaves};
        }
        return timeOfIds;
    }

    /** {@link #maxBarsPerId}, once worked out; -1 before. */
    private int maxBarsPerId = -1;

    /**
     * The most bars one BPE id begins. A prompt of n ids spans at most n times this many bars, so
     * the bars before that many cannot reach the model (see RemiContinuation.prompt).
     */
    public synchronized int maxBarsPerId() {
        if (maxBarsPerId < 0) {
            int most = 1;
            for (int id = 0; id < bpe.size(); id++) most = Math.max(most, barsIn(id));
            maxBarsPerId = most;
        }
        return maxBarsPerId;
    }

    /** Notes of BPE ids in ticks of 384 per quarter, in MidiTok's order. */
    public List<RemiNote> decodeNotes(int[] ids) {
        return decodeNotes(ids, TICKS_PER_QUARTER);
    }

    /** Notes of BPE ids in ticks of {@code ticksPerQuarter} (a multiple of the positions per beat). */
    public List<RemiNote> decodeNotes(int[] ids, int ticksPerQuarter) {
        return codec.notes(decodeBpe(ids), ticksPerQuarter);
    }

    /** The beat base tokens have reached (their last Bar or Position): notes that start before it are complete. */
    double writingAtBeats(List<String> baseTokens) {
        return codec.writingTick(baseTokens, TICKS_PER_QUARTER) / (double) TICKS_PER_QUARTER;
    }

    /** Notes of BPE ids, at MidiTok's 120 BPM (REMI carries no tempo). */
    public NoteSequence decode(int[] ids) {
        return decode(decodeBpe(ids));
    }

    /** Notes of base tokens ({@link #decodeBpe}'s), as {@link #decode(int[])}. */
    NoteSequence decode(List<String> baseTokens) {
        List<Note> notes = new ArrayList<>();
        for (RemiNote n : codec.notes(baseTokens, TICKS_PER_QUARTER)) {
            notes.add(new Note(n.pitch(), n.startTick() / (double) TICKS_PER_QUARTER,
                    (n.endTick() - n.startTick()) / (double) TICKS_PER_QUARTER, n.velocity()));
        }
        return new NoteSequence(notes, TempoMap.constant(DECODE_BPM));
    }

    /** The velocity a note gets after quantization (the nearest of the vocabulary's bins). */
    public int quantizeVelocity(int velocity) {
        return codec.nearestVelocity(velocity);
    }

    /** The file this tokenizer was read from. */
    public Path file() {
        return file;
    }

    private static JsonNode readJson(Path file, String what) {
        try {
            JsonNode root = JSON.readTree(Files.readAllBytes(file));
            if (root == null || !root.isObject()) throw new ModelException(file, what + " is not a JSON object");
            return root;
        } catch (NoSuchFileException e) {
            throw new ModelException(file, what + " not found", e);
        } catch (JsonProcessingException e) {
            throw new ModelException(file, what + " is not valid JSON (" + dev.pianola.io.JsonProblems.describe(e) + ")", e);
        } catch (IOException e) {
            throw new ModelException(file, "cannot read " + what + " (" + e.getMessage() + ")", e);
        }
    }

    private static Map<String, Integer> intMap(JsonNode root, String key, Path file) {
        JsonNode node = root.get(key);
        if (node == null || !node.isObject() || node.isEmpty()) throw new ModelException(file, "missing or empty " + key);
        Map<String, Integer> out = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().canConvertToInt() || !e.getValue().isIntegralNumber())
                throw new ModelException(file, key + "." + e.getKey() + " is " + e.getValue() + ", expected an integer id");
            out.put(e.getKey(), e.getValue().asInt());
        }
        return out;
    }

    private static Map<String, String> stringMap(JsonNode root, String key, Path file) {
        JsonNode node = root.get(key);
        if (node == null || !node.isObject() || node.isEmpty()) throw new ModelException(file, "missing or empty " + key);
        Map<String, String> out = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) throw new ModelException(file, key + " maps to " + e.getValue() + ", expected a token string");
            out.put(e.getKey(), e.getValue().asText());
        }
        return out;
    }
}
