package dev.pianola.models.remi;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pianola.ModelException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The 🤗 tokenizers BPE model that MidiTok stores in {@code _model} / {@code _bpe_model}: a
 * vocabulary of strings (each character one REMI base token) and ranked merges. Encoding is the
 * tokenizers algorithm for one word (MidiTok uses no pre-tokenizer and no normaliser):
 * <ol>
 *   <li>the special tokens ({@code added_tokens}) are split out first and map to their own ids;</li>
 *   <li>each remaining piece starts as one symbol per character; a character missing from the
 *       vocabulary is dropped, as tokenizers does when {@code unk_token} is null;</li>
 *   <li>the adjacent pair with the lowest merge rank is merged, leftmost first among equal ranks,
 *       until no pair has a merge.</li>
 * </ol>
 */
final class BytePairModel {
    /** One entry of the merge queue; tokenizers orders by rank, then by position. */
    private record Merge(int rank, int pos, int newId) implements Comparable<Merge> {
        @Override
        public int compareTo(Merge o) {
            return rank != o.rank ? Integer.compare(rank, o.rank) : Integer.compare(pos, o.pos);
        }
    }

    /** Rank and result of merging a pair of ids. */
    private record MergeResult(int rank, int newId) {
    }

    private final Map<String, Integer> vocab;
    private final String[] strings;
    private final Map<Long, MergeResult> merges;
    /** Special tokens matched in the text before BPE (tokenizers' AddedVocabulary). */
    private final Map<String, Integer> added;
    private final int longestAdded;

    BytePairModel(JsonNode document, RemiVocabulary base, Path file) {
        JsonNode model = document.path("model");
        if (!"BPE".equals(model.path("type").asText(null))) throw bad(file, "model.type is " + model.path("type") + ", expected \"BPE\"");
        // MidiTok trains without these; with them the tokenizers algorithm would differ
        for (String key : List.of("unk_token", "continuing_subword_prefix", "end_of_word_suffix", "dropout")) {
            JsonNode v = model.path(key);
            if (!v.isMissingNode() && !v.isNull() && !(v.isTextual() && v.asText().isEmpty()))
                throw bad(file, "model." + key + " = " + v + " is not supported (MidiTok leaves it empty)");
        }
        JsonNode vocabNode = model.path("vocab");
        if (!vocabNode.isObject() || vocabNode.isEmpty()) throw bad(file, "model.vocab is missing or empty");
        vocab = new HashMap<>();
        strings = new String[vocabNode.size()];
        for (Iterator<Map.Entry<String, JsonNode>> it = vocabNode.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            int id = e.getValue().asInt(-1);
            if (!e.getValue().canConvertToInt() || id < 0 || id >= strings.length || strings[id] != null)
                throw bad(file, "model.vocab id " + e.getValue() + " of " + quote(e.getKey()) + " is repeated or outside 0.." + (strings.length - 1));
            if (e.getKey().isEmpty()) throw bad(file, "model.vocab has an empty string");
            for (char c : e.getKey().toCharArray()) {
                if (base.idOfChar(c) < 0)
                    throw bad(file, "vocabulary inconsistent: BPE token " + quote(e.getKey()) + " has a character that is no base token");
            }
            strings[id] = e.getKey();
            vocab.put(e.getKey(), id);
        }
        // specials are BPE ids 0..4 and base ids 0..4 alike: the generation loop relies on it (BOS = 2, EOS = 3)
        for (int i = 0; i < RemiConstants.SPECIAL_TOKENS.size(); i++) {
            if (!strings[i].equals(String.valueOf(RemiVocabulary.charOf(i))))
                throw bad(file, "vocabulary inconsistent: BPE id " + i + " is " + quote(strings[i]) + ", expected " + RemiConstants.SPECIAL_TOKENS.get(i));
        }

        merges = new HashMap<>();
        JsonNode mergesNode = model.path("merges");
        if (!mergesNode.isArray()) throw bad(file, "model.merges is missing");
        for (int rank = 0; rank < mergesNode.size(); rank++) {
            String[] pair = mergePair(mergesNode.get(rank), rank, file);
            Integer a = vocab.get(pair[0]), b = vocab.get(pair[1]), ab = vocab.get(pair[0] + pair[1]);
            if (a == null || b == null || ab == null)
                throw bad(file, "merge " + rank + " (" + quote(pair[0]) + " + " + quote(pair[1]) + ") references a token that is not in model.vocab");
            merges.put(key(a, b), new MergeResult(rank, ab)); // a repeated pair keeps its last rank, as in tokenizers
        }

        added = new HashMap<>();
        int longest = 0;
        for (JsonNode t : document.path("added_tokens")) {
            String content = t.path("content").asText("");
            Integer id = vocab.get(content);
            if (content.isEmpty() || id == null || id != t.path("id").asInt(-1))
                throw bad(file, "added token " + t + " does not match model.vocab");
            added.put(content, id);
            longest = Math.max(longest, content.length());
        }
        longestAdded = longest;
    }

    /** Old tokenizers write a merge as "a b", newer ones as ["a", "b"]. */
    private static String[] mergePair(JsonNode m, int rank, Path file) {
        if (m.isTextual()) {
            String[] parts = m.asText().split(" ", -1);
            if (parts.length == 2 && !parts[0].isEmpty() && !parts[1].isEmpty()) return parts;
        } else if (m.isArray() && m.size() == 2 && m.get(0).isTextual() && m.get(1).isTextual()) {
            return new String[]{m.get(0).asText(), m.get(1).asText()};
        }
        throw bad(file, "merge " + rank + " is " + m + ", expected \"a b\" or [\"a\", \"b\"]");
    }

    int size() {
        return strings.length;
    }

    /** The string of a BPE id, or null when the id is outside the vocabulary. */
    String string(int id) {
        return id >= 0 && id < strings.length ? strings[id] : null;
    }

    /** BPE ids of a string of base-token characters. */
    int[] encode(String text) {
        List<Integer> out = new ArrayList<>();
        int pieceStart = 0, i = 0;
        while (i < text.length()) {
            int matched = matchAdded(text, i);
            if (matched > 0) {
                encodeWord(text, pieceStart, i, out);
                out.add(added.get(text.substring(i, i + matched)));
                i += matched;
                pieceStart = i;
            } else {
                i++;
            }
        }
        encodeWord(text, pieceStart, text.length(), out);
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Length of the longest special token at {@code pos}, or 0 (leftmost-longest, like tokenizers). */
    private int matchAdded(String text, int pos) {
        for (int len = Math.min(longestAdded, text.length() - pos); len > 0; len--) {
            if (added.containsKey(text.substring(pos, pos + len))) return len;
        }
        return 0;
    }

    /** tokenizers' Word::merge_all over text[from, to): symbols in a linked list, merges from a queue. */
    private void encodeWord(String text, int from, int to, List<Integer> out) {
        int n = 0;
        int[] id = new int[to - from];
        for (int i = from; i < to; i++) {
            Integer v = vocab.get(String.valueOf(text.charAt(i)));
            if (v != null) id[n++] = v; // unknown characters vanish (unk_token is null)
        }
        if (n == 0) return;
        int[] prev = new int[n], next = new int[n];
        boolean[] gone = new boolean[n];
        PriorityQueue<Merge> queue = new PriorityQueue<>();
        for (int i = 0; i < n; i++) {
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
            if (i + 1 < n) offer(queue, i, id[i], id[i + 1]);
        }
        while (!queue.isEmpty()) {
            Merge top = queue.poll();
            int left = top.pos();
            if (gone[left] || next[left] < 0) continue;
            int right = next[left];
            MergeResult current = merges.get(key(id[left], id[right]));
            if (current == null || current.newId() != top.newId()) continue; // stale entry: a neighbour changed
            id[left] = top.newId();
            gone[right] = true;
            next[left] = next[right];
            if (next[right] >= 0) prev[next[right]] = left;
            if (prev[left] >= 0) offer(queue, prev[left], id[prev[left]], id[left]);
            if (next[left] >= 0) offer(queue, left, id[left], id[next[left]]);
        }
        for (int i = 0; i >= 0; i = next[i]) out.add(id[i]);
    }

    private void offer(PriorityQueue<Merge> queue, int pos, int a, int b) {
        MergeResult m = merges.get(key(a, b));
        if (m != null) queue.add(new Merge(m.rank(), pos, m.newId()));
    }

    private static long key(int a, int b) {
        return ((long) a << 32) | (b & 0xffffffffL);
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c >= 0x21 && c < 0x7f) sb.append(c);
            else sb.append(String.format("\\u%04x", (int) c));
        }
        return sb.append('"').toString();
    }

    private static ModelException bad(Path file, String problem) {
        return new ModelException(file, "BPE model: " + problem);
    }
}
