package dev.pianola.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pianola.eval.NoteF1;
import dev.pianola.midi.Note;
import dev.pianola.midi.NoteSequence;
import dev.pianola.models.remi.RemiTokenizer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The note-level half of tools/export/agreement.py: decodes two answers to one prompt with the
 * engine's REMI tokenizer, as RemiContinuation does (prompt and answer decoded together, the notes
 * that start after the prompt's last onset kept), and scores answer b against answer a with note F1
 * (onset within 50 ms at REMI's 120 BPM, same pitch). Prints one JSON line. Not a test.
 *
 * <p>usage: RemiAnswerNotes TOKENIZER_JSON ANSWERS_JSON, where ANSWERS_JSON is
 * {@code {"pairs": [{"prompt": [ids], "a": [ids], "b": [ids]}, ...]}}
 */
public final class RemiAnswerNotes {
    private static final double ONSET_TOLERANCE_SECONDS = 0.05;

    private RemiAnswerNotes() {
    }

    public static void main(String[] args) throws IOException {
        RemiTokenizer tokenizer = RemiTokenizer.load(Path.of(args[0]));
        ObjectMapper json = new ObjectMapper();
        List<Map<String, Object>> scores = new ArrayList<>();
        for (JsonNode pair : json.readTree(Path.of(args[1]).toFile()).get("pairs")) {
            int[] prompt = ints(pair.get("prompt"));
            List<NoteF1.TimedPitch> a = answer(tokenizer, prompt, ints(pair.get("a")));
            List<NoteF1.TimedPitch> b = answer(tokenizer, prompt, ints(pair.get("b")));
            NoteF1.Score s = NoteF1.score(a, b, ONSET_TOLERANCE_SECONDS);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("notes_a", a.size());
            row.put("notes_b", b.size());
            row.put("matches", s.matches());
            row.put("f1", s.f1());
            scores.add(row);
        }
        System.out.println(json.writeValueAsString(Map.of("pairs", scores)));
    }

    private static List<NoteF1.TimedPitch> answer(RemiTokenizer tokenizer, int[] prompt, int[] answer) {
        int[] text = new int[prompt.length + answer.length];
        System.arraycopy(prompt, 0, text, 0, prompt.length);
        System.arraycopy(answer, 0, text, prompt.length, answer.length);
        double promptEnd = tokenizer.decode(prompt).notes().stream().mapToDouble(Note::startBeats).max().orElse(-1);
        NoteSequence all = tokenizer.decode(text);
        List<NoteF1.TimedPitch> notes = new ArrayList<>();
        for (Note n : all.notes()) {
            if (n.startBeats() > promptEnd + 1e-9) notes.add(new NoteF1.TimedPitch(all.startSeconds(n), n.pitch()));
        }
        return notes;
    }

    private static int[] ints(JsonNode a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).asInt();
        return out;
    }
}
