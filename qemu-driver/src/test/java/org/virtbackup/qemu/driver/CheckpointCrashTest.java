// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.virtbackup.api.CheckpointListFlag;
import org.virtbackup.api.Domain;
import org.virtbackup.api.DomainCheckpoint;
import org.virtbackup.qemu.store.DomainLock;
import org.virtbackup.qemu.testing.RequiresQemu;

/**
 * The controlling JVM dies (halted as by {@code kill -9}) inside a checkpoint create or delete on a 2-disk
 * domain with the chain cp1 ← cp2 (← cp3): before and after the bitmap transaction ({@code start:0[+]},
 * {@code teardown:0[+]}; a delete with children runs one bitmap plan per checkpoint, so {@code teardown:0+} is
 * between them) and before each metadata change ({@code checkpoint-create:N}, {@code checkpoint-delete:N}).
 * Afterwards, from a new connection: every difference between the store and QEMU's bitmaps is in the health
 * report, the repair it offers makes the report ok, the checkpoints left are the untouched ones plus some of
 * those the operation touched, with a sound tree and current checkpoint; then a full backup with a new
 * checkpoint and an incremental from it restore the disks exactly, and no stray file or leftover remains.
 */
@RequiresQemu
@Timeout(60)
class CheckpointCrashTest {

    private static final List<String> CHAIN = List.of("cp1", "cp2", "cp3");

    /**
     * A crash case.
     *
     * @param verb the child's arguments after URI and state directory
     * @param untouched checkpoints the operation must keep
     * @param adopt whether orphan bitmaps are adopted (else removed)
     */
    record Case(String failpoint, List<String> verb, Set<String> untouched, boolean adopt) {
        @Override
        public String toString() {
            return String.join(" ", verb) + " dies at " + failpoint + (adopt ? ", orphans adopted" : "");
        }

        boolean create() {
            return verb.get(0).equals("checkpoint-create");
        }
    }

    static Stream<Case> cases() {
        List<Case> all = new ArrayList<>();
        List<String> create = List.of("checkpoint-create", "cp3.xml");
        for (String fp : List.of("start:0", "start:0+", "checkpoint-create:1")) {
            all.add(new Case(fp, create, Set.of("cp1", "cp2"), false));
        }
        all.add(new Case("start:0+", create, Set.of("cp1", "cp2"), true));
        List<String> middle = List.of("checkpoint-delete", "cp2");
        for (String fp : List.of("teardown:0", "teardown:0+", "checkpoint-delete:1", "checkpoint-delete:2")) {
            all.add(new Case(fp, middle, Set.of("cp1", "cp3"), false));
        }
        List<String> children = List.of("checkpoint-delete", "cp2", "CHILDREN");
        for (String fp : List.of("teardown:0+", "checkpoint-delete:0", "checkpoint-delete:1", "checkpoint-delete:2")) {
            all.add(new Case(fp, children, Set.of("cp1"), false));
        }
        List<String> leaf = List.of("checkpoint-delete", "cp3");
        for (String fp : List.of("teardown:0+", "checkpoint-delete:1")) {
            all.add(new Case(fp, leaf, Set.of("cp1", "cp2"), false));
        }
        return all.stream();
    }

    @TempDir
    static Path tmp;

    /** One QEMU for all cases, made fresh before each ({@link CrashChecks#reset}). */
    static DomainFixture f;

    @BeforeAll
    static void startQemu() {
        f = new DomainFixture(tmp, 8L << 20);
    }

    @AfterAll
    static void stopQemu() {
        f.close();
    }

    /** cp1 stand-alone, cp2 from a full push (its targets are recorded), cp3 stand-alone. */
    private static void chain(boolean withCp3) throws Exception {
        CrashChecks.reset(f);
        Domain dom = f.domain();
        CheckpointQemu.create(dom, "cp1");
        f.qemu.guestWrite("vda", 2 << 20, 64 << 10, 0x11);
        CrashChecks.backup(dom, PushBackupTest.pushXml(null, tmp.resolve("vda.cp2.qcow2"), tmp.resolve("vdb.cp2.qcow2")),
                "cp2");
        f.qemu.guestWrite("vdb", 5 << 20, 64 << 10, 0x22);
        if (withCp3) {
            CheckpointQemu.create(dom, "cp3");
        }
        f.disconnect();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void aCheckpointOperationThatDiesLeavesAReportedAndRepairableState(Case c) throws Exception {
        chain(!c.create());
        Files.writeString(tmp.resolve("cp3.xml"), PushBackupTest.checkpointXml("cp3"));
        List<String> args = new ArrayList<>(List.of(c.verb().get(0), f.qemu.qmpUri("vm1").toString(),
                f.state.toString()));
        c.verb().stream().skip(1).map(a -> a.endsWith(".xml") ? tmp.resolve(a).toString() : a).forEach(args::add);
        CrashChecks.dieAt(c.failpoint(), List.of(), args.toArray(String[]::new));
        try (DomainLock lock = DomainLock.acquire(f.state.resolve("vm1"), Duration.ofMillis(100))) {
            assertThat(lock).as("the dead child's lock is free").isNotNull();
        }

        Domain dom = f.reconnect();
        CrashChecks.repair(dom, CrashChecks.assertDifferencesAreReported(f, dom), c.adopt());
        assertChainIsSound(dom, c);

        CrashChecks.fullThenVerifiedIncremental(f, dom, "cp9");
        assertThat(dom.checkpointLookupByName("cp9-inc").isCurrent()).isTrue();
        assertThat(dom.checkpointHealth().ok()).isTrue();
        CrashChecks.assertStateDirectoryClean(f);
        f.assertNoLeftoversInQemu();
    }

    /**
     * The untouched checkpoints are all there; each remaining one of cp1 ← cp2 ← cp3 has the previous remaining
     * one as parent (an adopted bitmap is a root); the current checkpoint is the last remaining (for a create,
     * cp2 may stay current).
     */
    private static void assertChainIsSound(Domain dom, Case c) {
        List<String> left = dom.listAllCheckpoints(Set.<CheckpointListFlag>of()).stream().map(DomainCheckpoint::name)
                .toList();
        assertThat(left).as("checkpoints after repair").containsAll(c.untouched()).isSubsetOf(CHAIN);
        List<String> chain = CHAIN.stream().filter(left::contains).toList();
        Optional<String> previous = Optional.empty();
        for (String cp : chain) {
            Optional<String> parent = dom.checkpointLookupByName(cp).getParent().map(DomainCheckpoint::name);
            if (c.adopt() && cp.equals("cp3")) {
                assertThat(parent).as("an adopted bitmap is a root checkpoint").isEmpty();
            } else {
                assertThat(parent).as("parent of %s", cp).isEqualTo(previous);
                previous = Optional.of(cp);
            }
        }
        String current = left.stream().filter(cp -> dom.checkpointLookupByName(cp).isCurrent()).findFirst()
                .orElse("(none)");
        if (c.create()) {
            assertThat(current).isIn("cp2", "cp3");
        } else {
            assertThat(current).as("the current checkpoint").isEqualTo(chain.get(chain.size() - 1));
        }
    }
}
