// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.virtbackup.api.CheckpointCreateFlag;
import org.virtbackup.api.CheckpointDiskState;
import org.virtbackup.api.CheckpointHealth;
import org.virtbackup.api.Domain;
import org.virtbackup.api.JobInfo;
import org.virtbackup.api.JobState;
import org.virtbackup.qemu.launch.ImageFormat;
import org.virtbackup.qemu.launch.QemuImg;
import org.virtbackup.qemu.qmp.QmpCommand;
import org.virtbackup.qemu.testing.RequiresQemu;

/**
 * A checkpoint redefined over bitmaps another tool made ({@code <disk bitmap='...'>} other than the checkpoint's
 * name) is backed up from those bitmaps. libvirt reads the bitmap named like the checkpoint, so such a
 * checkpoint validates but its incremental backup fails; here health, size and backups use the same bitmap.
 */
@RequiresQemu
@Timeout(120)
class RedefinedBitmapTest extends DomainTest {

    private static final long W = 64 << 10;

    @Test
    void anIncrementalBackupReadsTheBitmapTheCheckpointRecords() throws Exception {
        // Another tool's point in time: bitmaps 'tool-7' on both disks, and a copy of the disks then.
        f.flush();
        ArrayNode actions = JsonNodeFactory.instance.arrayNode();
        for (int i = 0; i < 2; i++) {
            actions.addObject().put("type", "block-dirty-bitmap-add").putObject("data")
                    .put("node", f.qemu.disks().get(i).formatNode()).put("name", "tool-7").put("persistent", true);
        }
        f.qemu.control(new QmpCommand("transaction", JsonNodeFactory.instance.objectNode().set("actions", actions)));
        Path vdaBase = tmp.resolve("vda.base.raw");
        Path vdbBase = tmp.resolve("vdb.base.raw");
        QemuImg.snapshotToRaw(f.vda, ImageFormat.QCOW2, vdaBase);
        QemuImg.snapshotToRaw(f.vdb, ImageFormat.QCOW2, vdbBase);
        f.qemu.guestWrite("vda", 3 * W, W, 0x5a);
        f.qemu.guestWrite("vdb", 9 * W, 2 * W, 0xa5);

        Domain dom = f.domain();
        dom.checkpointCreateXml("<domaincheckpoint><name>imported</name><creationTime>1700000000</creationTime>"
                + "<disks><disk name='vda' checkpoint='bitmap' bitmap='tool-7'/>"
                + "<disk name='vdb' checkpoint='bitmap' bitmap='tool-7'/></disks></domaincheckpoint>",
                EnumSet.of(CheckpointCreateFlag.REDEFINE, CheckpointCreateFlag.REDEFINE_VALIDATE));
        assertThat(dom.checkpointLookupByName("imported").creationTime()).isEqualTo(Instant.ofEpochSecond(1700000000));
        assertThat(dom.checkpointHealth().disks()).extracting(CheckpointHealth.DiskEntry::state)
                .containsOnly(CheckpointDiskState.OK);

        Path vdaInc = tmp.resolve("vda.inc.qcow2");
        Path vdbInc = tmp.resolve("vdb.inc.qcow2");
        JobInfo done = dom.backupStart(PushBackupTest.pushXml("imported", vdaInc, vdbInc), null, Set.of())
                .awaitCompletion(Duration.ofSeconds(60));
        assertThat(done.state()).as("job %s", done).isEqualTo(JobState.COMPLETED);
        JobInfo end = dom.backupEnd(Set.of());
        assertThat(end.diskProcessed().getAsLong()).as("only what was written since 'tool-7'").isEqualTo(3 * W);

        // The increments over the copies made at 'tool-7' are the disks now.
        f.flush();
        rebase(vdaInc, vdaBase);
        rebase(vdbInc, vdbBase);
        assertThat(f.identical(f.vda, vdaInc)).isTrue();
        assertThat(f.identical(f.vdb, vdbInc)).isTrue();
        assertThat(f.bitmaps()).containsExactlyInAnyOrder(
                f.qemu.disks().get(0).formatNode() + "/tool-7", f.qemu.disks().get(1).formatNode() + "/tool-7");
        f.assertNoLeftoversInQemu();
    }

    private static void rebase(Path image, Path backing) throws Exception {
        Process p = new ProcessBuilder("qemu-img", "rebase", "-u", "-f", "qcow2", "-F", "raw", "-b",
                backing.toString(), image.toString()).inheritIO().start();
        assertThat(p.waitFor()).as("qemu-img rebase").isZero();
    }
}
