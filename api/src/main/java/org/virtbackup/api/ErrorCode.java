// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.api;

/**
 * libvirt's error codes ({@code virErrorNumber} in {@code virterror.h}), with libvirt's names and numbers,
 * for the subset that a backup and checkpoint API can raise.
 *
 * <p>Code ported from libvirt-java compares {@link #number()} with the constant it knew; new code compares
 * enum constants.
 *
 * @since 0.1
 */
public enum ErrorCode {
    /** Internal error, including a failed QEMU command ("unable to execute QEMU command ..."). */
    INTERNAL_ERROR(1),
    /** The driver lacks the function altogether. */
    NO_SUPPORT(3),
    /** Failed to connect. */
    NO_CONNECT(5),
    /** The connection object is invalid (closed or broken). */
    INVALID_CONN(6),
    /** The domain object is invalid. */
    INVALID_DOMAIN(7),
    /** An argument was invalid: bad flag combination, existing target, cycle in a redefine. */
    INVALID_ARG(8),
    /** A command failed, e.g. a checkpoint with that name already exists. */
    OPERATION_FAILED(9),
    /** The XML is malformed or misses a required element or attribute. */
    XML_ERROR(27),
    /** Detail of an XML error (libvirt's parser reports line and column with it). */
    XML_DETAIL(35),
    /** The remote protocol failed. */
    RPC(39),
    /** Authentication failed. */
    AUTH_FAILED(45),
    /** The operation is forbidden on this connection. */
    OPERATION_DENIED(29),
    /** Could not open a file. */
    OPEN_FAILED(30),
    /** Could not read a file. */
    READ_FAILED(31),
    /** Could not write a file. */
    WRITE_FAILED(34),
    /** An operating-system call failed. */
    SYSTEM_ERROR(38),
    /** No such domain. */
    NO_DOMAIN(42),
    /** The operation is not valid in the current state, e.g. a second backup job. */
    OPERATION_INVALID(55),
    /** The configuration is not supported: unknown disk, push with a server, ... */
    CONFIG_UNSUPPORTED(67),
    /** A timeout expired. */
    OPERATION_TIMEOUT(68),
    /** An argument (for example a flag) is not supported by this hypervisor. */
    ARGUMENT_UNSUPPORTED(74),
    /** The operation was aborted. */
    OPERATION_ABORTED(78),
    /** The operation is not supported by this driver or this QEMU. */
    OPERATION_UNSUPPORTED(84),
    /** A resource, such as the QMP socket, is busy. */
    RESOURCE_BUSY(87),
    /** Access denied by the access control policy. */
    ACCESS_DENIED(88),
    /** The XML does not validate against the schema. */
    XML_INVALID_SCHEMA(92),
    /** The checkpoint is invalid. */
    INVALID_DOMAIN_CHECKPOINT(102),
    /** No checkpoint with that name. */
    NO_DOMAIN_CHECKPOINT(103),
    /** No backup job is present. */
    NO_DOMAIN_BACKUP(104),
    /** Checkpoint metadata and the bitmaps in the images disagree. */
    CHECKPOINT_INCONSISTENT(109);

    private final int number;

    ErrorCode(int number) {
        this.number = number;
    }

    /** libvirt's number for this code, e.g. 55 for {@code VIR_ERR_OPERATION_INVALID}. */
    public int number() {
        return number;
    }
}
