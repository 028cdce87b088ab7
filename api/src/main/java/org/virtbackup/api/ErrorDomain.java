// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.api;

/**
 * Where an error was raised, with libvirt's numbers ({@code virErrorDomain}).
 *
 * @since 0.1
 */
public enum ErrorDomain {
    /** No particular domain. */
    NONE(0),
    /** XML parsing and validation. */
    XML(5),
    /** libvirt's remote protocol (RPC layer). */
    RPC(7),
    /** Configuration handling. */
    CONF(9),
    /** The QEMU driver: QMP, jobs, block graph. */
    QEMU(10),
    /** libvirt's remote driver (a client of libvirtd). */
    REMOTE(13),
    /** Storage: NBD reads and writes, the backup repository ({@code VIR_FROM_STORAGE}). */
    STORAGE(18),
    /** Domain definitions, backup definitions ({@code backup_conf.c} reports here). */
    DOMAIN(20),
    /** Security drivers and labels. */
    SECURITY(24),
    /** Connection URI parsing. */
    URI(45),
    /** Checkpoint definitions. */
    DOMAIN_CHECKPOINT(69);

    private final int number;

    ErrorDomain(int number) {
        this.number = number;
    }

    /** libvirt's number for this domain, e.g. 10 for {@code VIR_FROM_QEMU}. */
    public int number() {
        return number;
    }
}
