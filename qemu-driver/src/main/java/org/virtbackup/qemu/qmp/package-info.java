// SPDX-License-Identifier: Apache-2.0
/**
 * The QMP transport: a connection to a QEMU monitor, commands, replies, events, errors. It knows nothing of
 * backups, checkpoints or plans; the layers above ({@code block}, {@code plan}, {@code exec}) use it.
 *
 * <p>Layer: bottom of the QEMU driver. Depends on {@code org.virtbackup.api} (only for
 * {@link org.virtbackup.api.VirtBackupException}), the JSON codec ({@code org.virtbackup.qemu.json}), Jackson,
 * junixsocket and SLF4J.
 *
 * <h2>Tutorial</h2>
 * Connect, execute, and listen for events. Always open the listener before sending the command whose
 * events you want: QEMU may emit them before the command's reply arrives.
 * <pre>{@code
 * try (QmpChannel qmp = QmpChannel.unix(Path.of("/run/vm1/qmp.sock"))) {
 *     QmpGreeting hello = qmp.connect();                       // greeting + qmp_capabilities
 *     JsonNode status = qmp.execute(QmpCommand.of("query-status"));
 *
 *     // a job: open the watch first, then send the command, then wait
 *     ObjectNode args = ...;                                    // {"job-id": "mk1", "options": {...}}
 *     try (JobWatch watch = JobWatch.open(qmp, "mk1")) {
 *         qmp.execute(new QmpCommand("blockdev-create", args));
 *         watch.awaitStatus(EnumSet.of(JobStatus.CONCLUDED), Instant.now().plusSeconds(30));
 *     }
 *
 *     // any event: a listener with a filter on data
 *     try (QmpEventListener l = qmp.listen(Set.of("BLOCK_JOB_COMPLETED"), d -> d.path("device").asText().equals("b1"))) {
 *         ...
 *         QmpEvent done = QmpEvents.awaitEvent(l, e -> true, deadline);
 *     }
 *
 *     // QEMU errors keep their class; check it, never the text
 *     try {
 *         qmp.execute(new QmpCommand("blockdev-del", nodeArgs));
 *     } catch (QmpErrorException e) {
 *         if (!e.isClass("GenericError")) throw e.toVirtBackupException();
 *     }
 * }
 * }</pre>
 *
 * <h2>Exceptions</h2>
 * All unchecked. Each converts to the public {@link org.virtbackup.api.VirtBackupException} with
 * {@link org.virtbackup.qemu.qmp.QmpException#toVirtBackupException()}, keeping itself as the cause.
 * <pre>
 * QmpException
 * ├── QmpErrorException         QEMU replied {"error": ...}          → INTERNAL_ERROR "unable to execute QEMU command 'X': desc"
 * ├── QmpDisconnectedException  connection lost; every pending call  → OPERATION_FAILED
 * ├── QmpTimeoutException       no reply / event in time             → OPERATION_TIMEOUT
 * ├── QmpConnectException       socket missing, refused, busy        → NO_CONNECT / RESOURCE_BUSY
 * ├── QmpProtocolException      bad greeting, error without id       → INTERNAL_ERROR
 * ├── QmpStateException         call in the wrong QmpRunState        → OPERATION_INVALID
 * └── QmpInterruptedException   caller thread interrupted            → OPERATION_ABORTED
 * </pre>
 *
 * <h2>Protocol rules this package enforces</h2>
 * <ul>
 * <li>Ids are {@code vb-<n>} from a counter; a reply with an unknown id (for example the late reply to a call
 * that timed out) is logged at warn and dropped.</li>
 * <li>An error reply without an id is fatal: the connection is dropped and pending calls fail with
 * {@link org.virtbackup.qemu.qmp.QmpDisconnectedException} caused by a
 * {@link org.virtbackup.qemu.qmp.QmpProtocolException}.</li>
 * <li>A line that is not JSON is logged and skipped.</li>
 * <li>A socket serves one client at a time (SPEC §2); a busy socket is reported as such, with the advice to
 * add a second {@code -qmp} socket.</li>
 * </ul>
 */
package org.virtbackup.qemu.qmp;
