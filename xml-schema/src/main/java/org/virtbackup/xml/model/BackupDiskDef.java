// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml.model;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One {@code <disk>} of a {@code <domainbackup>} (libvirt-backup-reference.md §1.3). For {@code backup='no'}
 * disks only {@link #name()} is meaningful, as libvirt parses and prints nothing else for them.
 *
 * @param name the domain disk's target ({@code vda})
 * @param backup {@code backup='yes'} (the default when the attribute is absent) or {@code 'no'}
 * @param storeType {@code type='file|block'} of the target/scratch image; default file
 * @param backupMode {@code backupmode}; empty until resolved by alignment
 * @param incremental per-disk checkpoint name overriding {@code <incremental>}
 * @param exportName pull only: NBD export name
 * @param exportBitmap pull only: name of the bitmap exported with the NBD export
 * @param index node index of the image once the job runs ({@code index='N'})
 * @param state internal form only: the disk's job state
 * @param driverType {@code <driver type>} of the target/scratch image, e.g. {@code qcow2}
 * @param store {@code <target>} (push) or {@code <scratch>} (pull)
 */
public record BackupDiskDef(String name, boolean backup, StoreType storeType, Optional<DiskBackupMode> backupMode,
                            Optional<String> incremental, Optional<String> exportName,
                            Optional<String> exportBitmap, OptionalInt index, Optional<BackupDiskState> state,
                            Optional<String> driverType, Optional<StoreDef> store) {
    public BackupDiskDef {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(storeType, "storeType");
        Objects.requireNonNull(backupMode, "backupMode");
        Objects.requireNonNull(incremental, "incremental");
        Objects.requireNonNull(exportName, "exportName");
        Objects.requireNonNull(exportBitmap, "exportBitmap");
        Objects.requireNonNull(index, "index");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(driverType, "driverType");
        Objects.requireNonNull(store, "store");
    }

    /** A disk excluded from the backup, {@code <disk name='X' backup='no'/>}. */
    public static BackupDiskDef excluded(String name) {
        return new BackupDiskDef(name, false, StoreType.FILE, Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), OptionalInt.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** A disk selected for backup with every setting left to the defaults, {@code <disk name='X'/>}. */
    public static BackupDiskDef selected(String name) {
        return excluded(name).withBackup(true);
    }

    /** A copy with another {@code backup} choice. */
    public BackupDiskDef withBackup(boolean newBackup) {
        return new BackupDiskDef(name, newBackup, storeType, backupMode, incremental, exportName, exportBitmap,
                index, state, driverType, store);
    }

    /** A copy with another store type. */
    public BackupDiskDef withStoreType(StoreType newType) {
        return new BackupDiskDef(name, backup, newType, backupMode, incremental, exportName, exportBitmap, index,
                state, driverType, store);
    }

    /** A copy with another backup mode. */
    public BackupDiskDef withBackupMode(DiskBackupMode newMode) {
        return new BackupDiskDef(name, backup, storeType, Optional.of(newMode), incremental, exportName,
                exportBitmap, index, state, driverType, store);
    }

    /** A copy with another per-disk checkpoint name. */
    public BackupDiskDef withIncremental(Optional<String> newIncremental) {
        return new BackupDiskDef(name, backup, storeType, backupMode, newIncremental, exportName, exportBitmap,
                index, state, driverType, store);
    }

    /** A copy with another export name. */
    public BackupDiskDef withExportName(String newExportName) {
        return new BackupDiskDef(name, backup, storeType, backupMode, incremental, Optional.of(newExportName),
                exportBitmap, index, state, driverType, store);
    }

    /** A copy with another export bitmap. */
    public BackupDiskDef withExportBitmap(String newExportBitmap) {
        return new BackupDiskDef(name, backup, storeType, backupMode, incremental, exportName,
                Optional.of(newExportBitmap), index, state, driverType, store);
    }

    /** A copy with a node index, as the driver assigns when the job starts. */
    public BackupDiskDef withIndex(int newIndex) {
        return new BackupDiskDef(name, backup, storeType, backupMode, incremental, exportName, exportBitmap,
                OptionalInt.of(newIndex), state, driverType, store);
    }

    /** A copy with a job state (internal form). */
    public BackupDiskDef withState(Optional<BackupDiskState> newState) {
        return new BackupDiskDef(name, backup, storeType, backupMode, incremental, exportName, exportBitmap, index,
                newState, driverType, store);
    }

    /** A copy with another image format. */
    public BackupDiskDef withDriverType(String newDriverType) {
        return new BackupDiskDef(name, backup, storeType, backupMode, incremental, exportName, exportBitmap, index,
                state, Optional.of(newDriverType), store);
    }

    /** A copy with another target/scratch store. */
    public BackupDiskDef withStore(StoreDef newStore) {
        return new BackupDiskDef(name, backup, storeType, backupMode, incremental, exportName, exportBitmap, index,
                state, driverType, Optional.of(newStore));
    }
}
