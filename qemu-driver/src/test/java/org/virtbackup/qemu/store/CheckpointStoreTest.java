// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.virtbackup.xml.CheckpointXml;
import org.virtbackup.xml.model.CheckpointDef;

/**
 * The store parses a file only when it changed, yet always sees what another process (here: another store
 * object, or a plain file write) did to the directory.
 */
class CheckpointStoreTest {

    @TempDir
    Path domainDir;

    private static CheckpointDef cp(String name, String parent, String description) {
        return CheckpointXml.parseRedefine("<domaincheckpoint><name>" + name + "</name>"
                + (description == null ? "" : "<description>" + description + "</description>")
                + (parent == null ? "" : "<parent><name>" + parent + "</name></parent>")
                + "<creationTime>1</creationTime><disks><disk name='vda' checkpoint='bitmap'/></disks>"
                + "</domaincheckpoint>");
    }

    private Path file(String name) {
        return domainDir.resolve("checkpoints").resolve(name + ".xml");
    }

    @Test
    void unchangedFilesAreNotParsedAgain() {
        CheckpointStore store = new CheckpointStore(domainDir);
        store.save(cp("a", null, "first"));
        store.save(cp("b", "a", null));
        CheckpointDef a = store.loadAll().get("a");
        assertThat(new CheckpointStore(domainDir).loadAll().get("a")).isSameAs(a);
        assertThat(store.load("a")).containsSame(a);
        assertThat(store.tree().list(java.util.Set.of())).containsExactly("a", "b");
    }

    @Test
    void aRewriteByAnotherWriterIsSeenEvenWithTheSameSizeAndTime() throws Exception {
        CheckpointStore store = new CheckpointStore(domainDir);
        store.save(cp("a", null, "one"));
        assertThat(store.loadAll().get("a").description()).contains("one");
        FileTime before = Files.getLastModifiedTime(file("a"));
        // another process: the same atomic write (new inode), same length, and the old time put back
        AtomicFiles.write(file("a"), CheckpointXml.format(cp("a", null, "two"), true, false, false));
        Files.setLastModifiedTime(file("a"), before);
        assertThat(store.loadAll().get("a").description()).contains("two");
        assertThat(store.load("a").flatMap(CheckpointDef::description)).contains("two");
    }

    @Test
    void anEditInPlaceIsSeen() throws Exception {
        CheckpointStore store = new CheckpointStore(domainDir);
        store.save(cp("a", null, "one"));
        assertThat(store.load("a").flatMap(CheckpointDef::description)).contains("one");
        FileTime before = Files.getLastModifiedTime(file("a"));
        Files.writeString(file("a"), Files.readString(file("a")).replace("one", "six"));
        Files.setLastModifiedTime(file("a"), FileTime.fromMillis(before.toMillis() + 1000));
        assertThat(store.load("a").flatMap(CheckpointDef::description)).contains("six");
        assertThat(store.loadAll().get("a").description()).contains("six");
    }

    @Test
    void filesAddedAndDeletedElsewhereAppearAndDisappear() {
        CheckpointStore store = new CheckpointStore(domainDir);
        store.save(cp("a", null, null));
        assertThat(store.loadAll()).containsOnlyKeys("a");
        CheckpointStore other = new CheckpointStore(domainDir);
        other.save(cp("b", "a", null));
        other.delete("a");
        assertThat(store.loadAll()).containsOnlyKeys("b");
        assertThat(store.load("a")).isEmpty();
        assertThat(store.tree().roots()).containsExactly("b");
    }

    @Test
    void anUnreadableFileIsSkippedUntilItIsRepaired() throws Exception {
        CheckpointStore store = new CheckpointStore(domainDir);
        store.save(cp("a", null, null));
        store.save(cp("b", "a", null));
        String good = Files.readString(file("b"));
        AtomicFiles.write(file("b"), "<domaincheckpoint><name>b</name>");
        assertThat(store.loadAll()).containsOnlyKeys("a");
        assertThat(store.load("b")).isEmpty();
        AtomicFiles.write(file("b"), good);
        assertThat(store.loadAll()).containsOnlyKeys("a", "b");
        assertThat(store.load("b").flatMap(CheckpointDef::parent)).isEqualTo(Optional.of("a"));
    }

    /** Puts the checkpoint directory's time 10 s back, so that a listing taken now is a settled one. */
    private void ageDirectory() throws Exception {
        Path dir = domainDir.resolve("checkpoints");
        Files.setLastModifiedTime(dir, FileTime.fromMillis(System.currentTimeMillis() - 10_000));
    }

    @Test
    void aListingIsKeptWhileNothingChangesAndAnotherWritersChangesAreSeenAtOnce() throws Exception {
        CheckpointStore store = new CheckpointStore(domainDir);
        store.save(cp("a", null, null));
        store.save(cp("b", "a", null));
        ageDirectory();
        CheckpointTree first = store.tree();
        assertThat(store.tree()).isSameAs(first);
        assertThat(new CheckpointStore(domainDir).tree()).isSameAs(first);
        // another writer (in another process it shares nothing with this JVM's caches; only the files tell)
        CheckpointStore other = new CheckpointStore(domainDir);
        other.save(cp("c", "b", null));
        assertThat(store.tree().topological()).containsExactly("a", "b", "c");
        other.save(cp("c", "a", null));
        assertThat(store.tree().children("a")).containsExactly("b", "c");
        other.delete("b");
        assertThat(store.summaries()).containsOnlyKeys("a", "c");
        assertThat(store.tree().list(java.util.Set.of())).containsExactly("a", "c");
    }

    @Test
    void aFileRenamedInWithoutAnIndexUpdateIsSeenAtOnce() throws Exception {
        CheckpointStore store = new CheckpointStore(domainDir);
        store.save(cp("a", null, null));
        ageDirectory();
        assertThat(store.summaries()).containsOnlyKeys("a");
        // a writer that died after renaming its file, before rewriting the index
        Path tmp = domainDir.resolve("checkpoints").resolve(".b.xml.new");
        Files.writeString(tmp, CheckpointXml.format(cp("b", "a", null), true, false, false));
        Files.move(tmp, file("b"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        assertThat(store.summaries()).containsOnlyKeys("a", "b");
        Files.delete(file("b"));
        assertThat(store.tree().list(java.util.Set.of())).containsExactly("a");
    }

    @Test
    void aListingTakenWithinTheMarginOfAChangeIsReadAgainOnceTheMarginHasPassed() throws Exception {
        CheckpointStore store = new CheckpointStore(domainDir);
        store.save(cp("a", null, null));
        Path dir = domainDir.resolve("checkpoints");
        FileTime changed = Files.getLastModifiedTime(dir);
        assertThat(store.summaries()).containsOnlyKeys("a");
        // a dead writer's file within the same clock tick: the directory keeps its time (put back here)
        Files.writeString(file("b"), CheckpointXml.format(cp("b", "a", null), true, false, false));
        Files.setLastModifiedTime(dir, changed);
        Thread.sleep(CheckpointSnapshots.MARGIN_MILLIS + 20);
        assertThat(store.summaries()).containsOnlyKeys("a", "b");
    }

    @Test
    void aSummaryAfterAListingIsTheFilesOwnAndSeesOtherWritersAtOnce() throws Exception {
        CheckpointStore store = new CheckpointStore(domainDir);
        store.save(cp("a", null, null));
        store.save(cp("b", "a", null));
        // a file holding another checkpoint's name answers neither name, with or without a kept listing
        Files.writeString(file("x"), CheckpointXml.format(cp("y", null, null), true, false, false));
        assertThat(store.summaries()).containsOnlyKeys("a", "b", "y"); // indexes x.xml
        ageDirectory();
        CheckpointTree kept = store.tree();
        assertThat(store.summary("b").flatMap(CheckpointDef::parent)).contains("a");
        assertThat(store.summary("x")).isEmpty();
        assertThat(store.summary("y")).isEmpty();
        assertThat(store.summary("../checkpoints/a")).isEmpty();
        assertThat(store.tree()).as("the listing is still kept").isSameAs(kept);
        new CheckpointStore(domainDir).save(cp("b", null, "moved"));
        assertThat(store.summary("b").flatMap(CheckpointDef::parent)).isEmpty();
        new CheckpointStore(domainDir).delete("a");
        assertThat(store.summary("a")).isEmpty();
    }
}
