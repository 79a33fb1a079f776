package dev.pianola.it;

import dev.pianola.PianolaException;
import dev.pianola.install.HubClient;
import dev.pianola.install.HubException;
import dev.pianola.install.HubSettings;
import dev.pianola.models.Installable;
import dev.pianola.models.ModelCatalog;
import dev.pianola.runtime.Progress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hub download client against a local server that speaks the hub's file protocol ({@link LocalHub}),
 * serving a tiny random GPT-2 checkpoint (tests/fixtures/remi-model/tiny-checkpoint) as the hub serves
 * Natooz/Maestro-REMI-bpe20k. The real hub was not reachable where these tests were written: what
 * they check is the protocol as huggingface_hub's client meets it, not the real repositories.
 */
class HubClientTest {
    static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";
    static final Path CHECKPOINT = Cli.root().resolve("tests/fixtures/remi-model/tiny-checkpoint");
    static final Installable REMI = ModelCatalog.named("gpt2-remi");
    static final String WEIGHTS = "model.safetensors";

    @TempDir
    Path tmp;
    LocalHub hub;

    @BeforeEach
    void start() throws IOException {
        hub = new LocalHub().repo(REMI.repo(), "main", COMMIT, CHECKPOINT);
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    private HubClient client(boolean offline) {
        return new HubClient(new HubSettings(hub.endpoint(), null, tmp.resolve("hub"), offline), Duration.ofMillis(10));
    }

    private void assertSameFiles(Path snapshot, List<String> names) throws IOException {
        for (String n : names) assertArrayEquals(Files.readAllBytes(CHECKPOINT.resolve(n)), Files.readAllBytes(snapshot.resolve(n)), n);
    }

    @Test
    void aFreshDownloadFillsTheHubCacheAsHuggingfaceHubLaysItOut() throws IOException {
        HubClient c = client(false);
        HubClient.Plan plan = c.plan(REMI.repo(), "main", REMI.files());
        assertEquals(COMMIT, plan.commit());
        assertEquals(List.of("config.json", "generation_config.json", WEIGHTS, "tokenizer.json"), plan.files().stream().map(HubClient.PlannedFile::name).toList());
        long size = 0;
        for (HubClient.PlannedFile f : plan.files()) size += Files.size(CHECKPOINT.resolve(f.name()));
        assertEquals(size, plan.bytesToDownload(), "nothing cached yet");
        Path snapshot = c.fetch(plan, Progress.NONE);
        Path repoDir = tmp.resolve("hub/models--Natooz--Maestro-REMI-bpe20k");
        assertEquals(repoDir.resolve("snapshots").resolve(COMMIT), snapshot);
        assertSameFiles(snapshot, List.of("config.json", "generation_config.json", WEIGHTS, "tokenizer.json"));
        // the weights are stored under their sha256, the small files under their Git blob id; snapshots link to them
        byte[] weights = Files.readAllBytes(CHECKPOINT.resolve(WEIGHTS));
        assertTrue(Files.isRegularFile(repoDir.resolve("blobs").resolve(LocalHub.sha256(weights))));
        assertTrue(Files.isSymbolicLink(snapshot.resolve(WEIGHTS)));
        assertEquals(Path.of("../../blobs/" + LocalHub.sha256(weights)), Files.readSymbolicLink(snapshot.resolve(WEIGHTS)));
        byte[] tokenizer = Files.readAllBytes(CHECKPOINT.resolve("tokenizer.json"));
        assertTrue(Files.isRegularFile(repoDir.resolve("blobs").resolve(LocalHub.gitBlobId(tokenizer))));
        assertEquals(COMMIT, Files.readString(repoDir.resolve("refs/main")).strip(), "refs/main holds the commit");
        // the weights came from the CDN address the hub redirected to, without the token's header
        assertTrue(hub.downloads(WEIGHTS).get(0).path().startsWith("/cdn/"), hub.requests.toString());
        // the revision was resolved once: every later file was asked for at the commit
        long atCommit = hub.requests.stream().filter(r -> r.method().equals("HEAD") && r.path().contains("/resolve/" + COMMIT + "/")).count();
        assertEquals(3, atCommit, hub.requests.toString());

        // a second install finds it all in the cache: nothing is downloaded
        int before = hub.requests.size();
        HubClient.Plan again = c.plan(REMI.repo(), "main", REMI.files());
        assertEquals(0, again.bytesToDownload());
        c.fetch(again, Progress.NONE);
        assertTrue(hub.requests.subList(before, hub.requests.size()).stream().noneMatch(r -> r.method().equals("GET")), hub.requests.toString());
    }

    @Test
    void aCutDownloadResumesWithARangeRequest() throws IOException {
        hub.cutOnce(WEIGHTS, 100_000);
        HubClient c = client(false);
        Path snapshot = c.fetch(c.plan(REMI.repo(), "main", REMI.files()), Progress.NONE);
        assertSameFiles(snapshot, List.of(WEIGHTS));
        List<LocalHub.Request> gets = hub.downloads(WEIGHTS);
        assertEquals(2, gets.size(), gets.toString());
        assertEquals(null, gets.get(0).range());
        assertTrue(gets.get(1).range() != null && gets.get(1).range().matches("bytes=[1-9]\\d*-"), "resumed where it stopped: " + gets);
        assertFalse(Files.exists(tmp.resolve("hub/models--Natooz--Maestro-REMI-bpe20k/blobs")
                .resolve(LocalHub.sha256(Files.readAllBytes(CHECKPOINT.resolve(WEIGHTS))) + ".incomplete")));
    }

    @Test
    void aDownloadLeftIncompleteByAnEarlierRunIsResumed() throws IOException {
        byte[] weights = Files.readAllBytes(CHECKPOINT.resolve(WEIGHTS));
        Path blobs = Files.createDirectories(tmp.resolve("hub/models--Natooz--Maestro-REMI-bpe20k/blobs"));
        Files.write(blobs.resolve(LocalHub.sha256(weights) + ".incomplete"), java.util.Arrays.copyOf(weights, 70_000));
        HubClient c = client(false);
        HubClient.Plan plan = c.plan(REMI.repo(), "main", REMI.files());
        Path snapshot = c.fetch(plan, Progress.NONE);
        assertSameFiles(snapshot, List.of(WEIGHTS));
        assertEquals("bytes=70000-", hub.downloads(WEIGHTS).get(0).range());
    }

    @Test
    void aDamagedDownloadIsRefusedAndFetchedAgain() throws IOException {
        hub.corrupt(WEIGHTS, 1);
        hub.corrupt("tokenizer.json", 1);
        HubClient c = client(false);
        Path snapshot = c.fetch(c.plan(REMI.repo(), "main", REMI.files()), Progress.NONE);
        assertSameFiles(snapshot, List.of(WEIGHTS, "tokenizer.json"));
        assertEquals(2, hub.downloads(WEIGHTS).size(), "checked against the sha256 and fetched again");
        assertEquals(2, hub.downloads("tokenizer.json").size(), "checked against the Git blob id and fetched again");
    }

    @Test
    void aDamagedFileInTheCacheIsFetchedAgain() throws IOException {
        HubClient c = client(false);
        Path snapshot = c.fetch(c.plan(REMI.repo(), "main", REMI.files()), Progress.NONE);
        Path blob = snapshot.resolve(WEIGHTS).toRealPath();
        byte[] bytes = Files.readAllBytes(blob);
        bytes[10] ^= 1; // same size, other content: only the hash tells
        Files.write(blob, bytes);
        c.fetch(c.plan(REMI.repo(), "main", REMI.files()), Progress.NONE);
        assertSameFiles(snapshot, List.of(WEIGHTS));
        assertEquals(2, hub.downloads(WEIGHTS).size());
    }

    @Test
    void aFileDamagedEveryTimeIsRefused() {
        hub.corrupt(WEIGHTS, 2);
        HubClient c = client(false);
        HubClient.Plan plan = c.plan(REMI.repo(), "main", REMI.files());
        HubException e = assertThrows(HubException.class, () -> c.fetch(plan, Progress.NONE));
        assertEquals(HubException.Kind.CORRUPT, e.kind());
        assertEquals(PianolaException.EXIT_MODEL, e.exitCode());
        assertTrue(e.getMessage().contains("sha256 " + plan.files().get(2).etag()) && !e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void offlineTheCacheIsUsedAndNothingIsAsked() throws IOException {
        HubClient online = client(false);
        Path fetched = online.fetch(online.plan(REMI.repo(), "main", REMI.files()), Progress.NONE);
        int before = hub.requests.size();
        HubClient offline = client(true);
        HubClient.Plan plan = offline.plan(REMI.repo(), "main", REMI.files());
        assertEquals(COMMIT, plan.commit());
        assertEquals(0, plan.bytesToDownload());
        assertEquals(fetched, offline.fetch(plan, Progress.NONE));
        assertEquals(before, hub.requests.size(), "offline: no request at all");
    }

    @Test
    void offlineWithoutTheFilesIsAClearError() {
        HubException e = assertThrows(HubException.class, () -> client(true).plan(REMI.repo(), "main", REMI.files()));
        assertEquals(HubException.Kind.NOT_CACHED, e.kind());
        assertEquals(PianolaException.EXIT_MODEL, e.exitCode());
        assertTrue(e.getMessage().startsWith("HF_HUB_OFFLINE is set") && e.getMessage().contains(REMI.repo()) && !e.getMessage().contains("\n"), e.getMessage());
        assertTrue(hub.requests.isEmpty());
    }

    @Test
    void aWrongRevisionIsOneLineNamingIt() {
        HubException e = assertThrows(HubException.class, () -> client(false).plan(REMI.repo(), "no-such-branch", REMI.files()));
        assertEquals(HubException.Kind.REVISION, e.kind());
        assertEquals("Natooz/Maestro-REMI-bpe20k has no revision 'no-such-branch' on " + hub.endpoint() + " (the hub says: Invalid rev id: no-such-branch)",
                e.getMessage());
        HubException repo = assertThrows(HubException.class, () -> client(false).plan("nobody/nothing", "main", REMI.files()));
        assertEquals(HubException.Kind.REPOSITORY, repo.kind());
        assertTrue(repo.getMessage().startsWith("no repository nobody/nothing on "), repo.getMessage());
    }

    @Test
    void aMissingFileIsNamedAndAnOptionalOneIsLeftOut() {
        List<Installable.CheckpointFile> files = List.of(Installable.CheckpointFile.of("config.json"),
                Installable.CheckpointFile.optional("preprocessor_config.json"), new Installable.CheckpointFile(List.of("pytorch_model.bin", WEIGHTS), false));
        HubClient.Plan plan = client(false).plan(REMI.repo(), "main", files);
        assertEquals(List.of("config.json", WEIGHTS), plan.files().stream().map(HubClient.PlannedFile::name).toList(), "the first name the revision has");
        HubException e = assertThrows(HubException.class, () -> client(false).plan(REMI.repo(), "main", List.of(Installable.CheckpointFile.of("vocab.json"))));
        assertEquals(HubException.Kind.FILE, e.kind());
        assertTrue(e.getMessage().startsWith("Natooz/Maestro-REMI-bpe20k at main has no vocab.json"), e.getMessage());
    }

    @Test
    void theTokenGoesToTheHubOnlyNeverToTheCdn() throws IOException {
        hub.requireToken("hf_test");
        HubException refused = assertThrows(HubException.class, () -> client(false).plan(REMI.repo(), "main", REMI.files()));
        assertTrue(refused.getMessage().contains("set HF_TOKEN"), refused.getMessage());
        HubClient c = new HubClient(new HubSettings(hub.endpoint(), "hf_test", tmp.resolve("hub"), false), Duration.ofMillis(10));
        c.fetch(c.plan(REMI.repo(), "main", REMI.files()), Progress.NONE);
        for (LocalHub.Request r : hub.requests) {
            if (r.path().startsWith("/cdn/")) assertFalse(r.authorized(), "no token to the CDN: " + r);
        }
        assertTrue(hub.requests.stream().anyMatch(r -> r.path().startsWith("/cdn/")));
    }

    @Test
    void theHubsEnvironmentVariablesAreRead() throws IOException {
        Path home = tmp.resolve("home");
        HubSettings d = HubSettings.from(java.util.Map.of(), home);
        assertEquals(HubSettings.DEFAULT_ENDPOINT, d.endpoint());
        assertEquals(home.resolve(".cache/huggingface/hub"), d.cache());
        assertEquals(null, d.token());
        assertFalse(d.offline());
        Files.createDirectories(tmp.resolve("hf"));
        Files.writeString(tmp.resolve("hf/token"), "hf_fromfile\n");
        HubSettings s = HubSettings.from(java.util.Map.of("HF_HOME", tmp.resolve("hf").toString(), "HF_ENDPOINT", "http://mirror:8080/",
                "HF_HUB_OFFLINE", "1"), home);
        assertEquals("http://mirror:8080", s.endpoint());
        assertEquals(tmp.resolve("hf/hub"), s.cache());
        assertEquals("hf_fromfile", s.token(), "huggingface-cli login's token file");
        assertTrue(s.offline());
        HubSettings t = HubSettings.from(java.util.Map.of("HF_HOME", tmp.resolve("hf").toString(), "HF_HUB_CACHE", "/c", "HF_TOKEN", "hf_env",
                "HF_HUB_OFFLINE", "0"), home);
        assertEquals(Path.of("/c"), t.cache());
        assertEquals("hf_env", t.token());
        assertFalse(t.offline());
        assertFalse(t.toString().contains("hf_env"), "the token is never printed: " + t);
    }
}
