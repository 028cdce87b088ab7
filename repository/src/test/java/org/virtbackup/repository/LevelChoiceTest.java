// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.VirtBackupException;

class LevelChoiceTest {
    private static final Instant T = Instant.parse("2026-12-05T12:00:00Z");
    private final Point cp1 = new Point(Path.of("/r/vm1/cp1"), new PointManifest("vm1", "cp1", Optional.empty(),
            Level.FULL, List.of(new DiskEntry("vda", "vda.qcow2", Optional.empty(), 1, 1, 1, "ab")), T, T));

    private static BackupRequest request(Level level, String... disks) {
        return new BackupRequest(level, List.of(disks), 1, Optional.empty());
    }

    @Test
    void fullNeverHasAParent() {
        assertThat(LevelChoice.parent(request(Level.FULL), Optional.of(cp1), n -> true)).isEmpty();
    }

    @Test
    void autoContinuesTheNewestPointWhileTheDomainHasItsCheckpoint() {
        assertThat(LevelChoice.parent(request(Level.AUTO), Optional.of(cp1), n -> true)).contains(cp1);
        assertThat(LevelChoice.parent(request(Level.AUTO), Optional.of(cp1), n -> false)).isEmpty();
        assertThat(LevelChoice.parent(request(Level.AUTO), Optional.empty(), n -> true)).isEmpty();
        assertThat(LevelChoice.parent(request(Level.AUTO, "vdb"), Optional.of(cp1), n -> true)).isEmpty();
    }

    @Test
    void incSaysWhyItCannotContinue() {
        VirtBackupException gone = catchThrowableOfType(
                () -> LevelChoice.parent(request(Level.INC), Optional.of(cp1), n -> false), VirtBackupException.class);
        assertThat(gone.code()).isEqualTo(ErrorCode.OPERATION_INVALID);
        assertThat(gone).hasMessageContaining("the domain no longer has checkpoint 'cp1'");
        assertThat(catchThrowableOfType(() -> LevelChoice.parent(request(Level.INC, "vdb"), Optional.of(cp1),
                n -> true), VirtBackupException.class)).hasMessageContaining("disk 'vdb' is not in the newest point");
    }

    @Test
    void manifestsSurviveTheirJsonForm() {
        PointManifest inc = new PointManifest("vm1", "cp2", Optional.of("cp1"), Level.INC, List.of(new DiskEntry(
                "vda", "vda.qcow2", Optional.of("../cp1/vda.qcow2"), 1 << 20, 5, 7, "00ff")), T, T.plusSeconds(3));
        String json = ManifestJson.format(inc);
        assertThat(json).contains("\"parent\" : \"cp1\"").contains("\"level\" : \"inc\"");
        assertThat(ManifestJson.parse(json, "m")).isEqualTo(inc);
        assertThat(ManifestJson.parse(ManifestJson.format(cp1.manifest()), "m")).isEqualTo(cp1.manifest());
        VirtBackupException torn = catchThrowableOfType(() -> ManifestJson.parse(json.substring(0, 40), "/r/m.json"),
                VirtBackupException.class);
        assertThat(torn).hasMessageStartingWith("manifest '/r/m.json' is damaged");
    }
}
