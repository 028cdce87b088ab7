// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.virtbackup.xml.CheckpointXml;
import org.virtbackup.xml.model.CheckpointDef;

/**
 * The checkpoint index is a cache of the XML files: whatever state it is in (missing, stale, torn, garbage, of
 * another checkpoint), the store answers from the XML files, and the next listing rewrites it.
 */
class CheckpointIndexTest {

    @TempDir
    Path domainDir;

    private static CheckpointDef cp(String name, String parent, long created, String bitmap) {
        return CheckpointXml.parseRedefine("<domaincheckpoint><name>" + name + "</name><description>d</description>"
                + (parent == null ? "" : "<parent><name>" + parent + "</name></parent>")
                + "<creationTime>" + created + "</creationTime><disks><disk name='vda' checkpoint='bitmap' bitmap='"
                + bitmap + "'/><disk name='vdb' checkpoint='no'/></disks></domaincheckpoint>");
    }

    private Path index() {
        return domainDir.resolve("checkpoints").resolve(CheckpointIndex.FILE);
    }

    private CheckpointStore storeOf(CheckpointDef... defs) {
        CheckpointStore store = new CheckpointStore(domainDir);
        for (CheckpointDef d : defs) {
            store.save(d);
        }
        return store;
    }

    /** What the XML files say, summarised: the truth every answer is checked against. */
    private Map<String, CheckpointDef> truth() {
        return new CheckpointStore(domainDir).loadAll().entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> CheckpointIndex.summaryOf(e.getValue())));
    }

    @Test
    void summariesAreTheXmlFilesWithoutDescriptionDomainOrSizes() {
        CheckpointStore store = storeOf(cp("a", null, 1, "a"), cp("b", "a", 2, "tab\there"));
        assertThat(store.summaries()).isEqualTo(truth()).containsOnlyKeys("a", "b");
        assertThat(store.summary("b").orElseThrow().parent()).contains("a");
        assertThat(store.summary("b").orElseThrow().disks().get(0).bitmap()).contains("tab here"); // XML normalises
        assertThat(store.summary("b").orElseThrow().description()).isEmpty();
        assertThat(store.summary("nope")).isEmpty();
        assertThat(index()).exists();
    }

    @Test
    void theIndexRoundTripsThroughItsTextForm() {
        storeOf(cp("a", null, 1, "x\\y\nz"), cp("b", "a", 2, "b"));
        Map<String, CheckpointIndex.Entry> read = CheckpointIndex.read(index().getParent());
        assertThat(CheckpointIndex.parse(CheckpointIndex.format(read))).isEqualTo(read);
        assertThat(read).containsOnlyKeys("a.xml", "b.xml");
    }

    @Test
    void aMissingIndexIsRebuiltFromTheFiles() throws Exception {
        storeOf(cp("a", null, 1, "a"), cp("b", "a", 2, "b"));
        Files.delete(index());
        assertThat(new CheckpointStore(domainDir).summaries()).isEqualTo(truth());
        assertThat(CheckpointIndex.read(index().getParent())).containsOnlyKeys("a.xml", "b.xml");
    }

    @Test
    void aTornOrGarbageIndexIsIgnoredAndRebuilt() throws Exception {
        storeOf(cp("a", null, 1, "a"), cp("b", "a", 2, "b"));
        String good = Files.readString(index());
        for (String bad : new String[] {good.substring(0, good.length() / 2), "garbage\n", "",
            good.replace("\tvda\t", "\tvdz\t"), good.replace("virtbackup checkpoint index 1", "virtbackup checkpoint index 9")}) {
            Files.writeString(index(), bad, StandardCharsets.UTF_8);
            assertThat(new CheckpointStore(domainDir).summaries()).as(bad).isEqualTo(truth());
            assertThat(Files.readString(index())).as("rewritten after: " + bad).isEqualTo(good);
        }
    }

    @Test
    void aStaleEntryIsNeverUsedEvenWithTheSameSizeAndTime() throws Exception {
        CheckpointStore store = storeOf(cp("a", null, 1, "one"));
        assertThat(store.summary("a").orElseThrow().disks().get(0).bitmap()).contains("one");
        Path a = domainDir.resolve("checkpoints").resolve("a.xml");
        FileTime before = Files.getLastModifiedTime(a);
        // another writer (or a crash before the index was updated): a new file, same length, old time put back
        AtomicFiles.write(a, CheckpointXml.format(cp("a", null, 1, "two"), true, false, false));
        Files.setLastModifiedTime(a, before);
        assertThat(store.summary("a").orElseThrow().disks().get(0).bitmap()).contains("two");
        assertThat(store.summaries()).isEqualTo(truth());
    }

    @Test
    void filesAddedOrRemovedBehindTheIndexAreSeen() throws Exception {
        CheckpointStore store = storeOf(cp("a", null, 1, "a"), cp("b", "a", 2, "b"));
        String indexBefore = Files.readString(index());
        Path dir = index().getParent();
        // as if the process died between the XML write or delete and the index update
        AtomicFiles.write(dir.resolve("c.xml"), CheckpointXml.format(cp("c", "b", 3, "c"), true, false, false));
        Files.delete(dir.resolve("a.xml"));
        Files.writeString(index(), indexBefore);
        assertThat(store.summaries()).isEqualTo(truth()).containsOnlyKeys("b", "c");
        assertThat(store.summary("a")).isEmpty();
        assertThat(CheckpointIndex.read(dir)).containsOnlyKeys("b.xml", "c.xml");
    }

    @Test
    void anUnreadableFileIsSkippedAsLoadAllSkipsIt() throws Exception {
        CheckpointStore store = storeOf(cp("a", null, 1, "a"));
        Files.writeString(index().getParent().resolve("broken.xml"), "<domaincheckpoint>");
        assertThat(store.summaries()).isEqualTo(truth()).containsOnlyKeys("a");
        assertThat(store.summary("broken")).isEqualTo(Optional.empty());
    }

    @Test
    void deleteRemovesTheEntry() {
        CheckpointStore store = storeOf(cp("a", null, 1, "a"), cp("b", "a", 2, "b"));
        store.delete("b");
        assertThat(CheckpointIndex.read(index().getParent())).containsOnlyKeys("a.xml");
        assertThat(store.summaries()).isEqualTo(truth());
    }
}
