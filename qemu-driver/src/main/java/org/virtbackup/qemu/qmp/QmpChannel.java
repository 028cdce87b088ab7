// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.FileDescriptor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A connection to one QEMU monitor (QMP), after go-qemu's four-method {@code Monitor}: connect, execute,
 * listen, close. Replies are matched to calls by id, so several threads may execute at once; events go to
 * per-subscriber {@link QmpEventListener}s.
 *
 * <p>A QMP socket serves one client at a time (SPEC §2): while another client is connected, QEMU accepts
 * the connection but sends no greeting, and {@link #connect()} fails with a {@link QmpConnectException}
 * whose {@link QmpConnectException#busy()} is true.
 *
 * <p>A channel is used once; see {@link QmpRunState}.
 */
public interface QmpChannel extends AutoCloseable {
    /** How long {@link #connect()} waits for the socket and the greeting, unless configured otherwise. */
    Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** How long a call waits for its reply, unless configured otherwise. */
    Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(60);

    /**
     * A channel to the QMP unix socket at {@code socket}, in state {@link QmpRunState#IDLE}, with the default
     * timeouts.
     */
    static QmpChannel unix(Path socket) {
        return unix(socket, DEFAULT_CONNECT_TIMEOUT, DEFAULT_COMMAND_TIMEOUT);
    }

    /**
     * A channel to the QMP unix socket at {@code socket}, in state {@link QmpRunState#IDLE}, on the JDK's unix
     * socket: it passes no file descriptors (see {@link #unixPassingDescriptors}).
     *
     * @param connectTimeout how long {@link #connect()} waits for the connection and the greeting
     * @param commandTimeout how long {@link #execute(QmpCommand)} waits for a reply
     */
    static QmpChannel unix(Path socket, Duration connectTimeout, Duration commandTimeout) {
        return new UnixQmpChannel(Objects.requireNonNull(socket, "socket"),
                Objects.requireNonNull(connectTimeout, "connectTimeout"),
                Objects.requireNonNull(commandTimeout, "commandTimeout"), false);
    }

    /**
     * As {@link #unix(Path, Duration, Duration)}, on junixsocket, so that {@link #execute(QmpCommand, Duration,
     * FileDescriptor...)} can pass descriptors. junixsocket loads a native library once per process (about
     * 0.15 s of CPU in a short process): use this only where descriptors may be passed.
     */
    static QmpChannel unixPassingDescriptors(Path socket, Duration connectTimeout, Duration commandTimeout) {
        return new UnixQmpChannel(Objects.requireNonNull(socket, "socket"),
                Objects.requireNonNull(connectTimeout, "connectTimeout"),
                Objects.requireNonNull(commandTimeout, "commandTimeout"), true);
    }

    /**
     * Connects, reads the greeting and negotiates capabilities ({@code qmp_capabilities}); then the channel is
     * {@link QmpRunState#RUNNING}. On failure the channel is {@link QmpRunState#CLOSED}.
     *
     * @return QEMU's greeting
     * @throws QmpConnectException when the socket is missing, refuses, or is busy with another client
     * @throws QmpProtocolException when the peer does not speak QMP
     * @throws QmpStateException when the channel is not {@link QmpRunState#IDLE}
     */
    QmpGreeting connect();

    /**
     * Sends {@code command} and waits for its reply, passing {@code fds} with it as SCM_RIGHTS ancillary data
     * (what {@code getfd} and {@code add-fd} need).
     *
     * @param timeout how long to wait for the reply; on expiry the call is forgotten and its late reply dropped
     * @return the {@code return} value (an empty object for most commands)
     * @throws QmpErrorException when QEMU replies with an error
     * @throws QmpTimeoutException when no reply arrives in time
     * @throws QmpDisconnectedException when the connection drops before the reply
     * @throws QmpStateException when the channel is not {@link QmpRunState#RUNNING}
     * @throws IllegalArgumentException when {@code fds} are given to a channel made without descriptor passing
     */
    JsonNode execute(QmpCommand command, Duration timeout, FileDescriptor... fds);

    /** Whether {@link #execute(QmpCommand, Duration, FileDescriptor...)} takes descriptors to pass. */
    boolean passesDescriptors();

    /** {@link #execute(QmpCommand, Duration, FileDescriptor...)} with the channel's command timeout. */
    default JsonNode execute(QmpCommand command) {
        return execute(command, commandTimeout());
    }

    /** {@link #execute(QmpCommand, Duration, FileDescriptor...)} with the channel's command timeout. */
    default JsonNode execute(QmpCommand command, FileDescriptor... fds) {
        return execute(command, commandTimeout(), fds);
    }

    /**
     * Opens a listener for events named in {@code eventNames} (empty: all) whose {@code data} passes
     * {@code dataFilter}. Open it before sending the command whose events you await. Allowed in every state
     * but {@link QmpRunState#CLOSED}.
     *
     * @param dataFilter a predicate on the event's {@code data} object, e.g. the job id; null accepts all
     */
    QmpEventListener listen(Set<String> eventNames, Predicate<? super JsonNode> dataFilter);

    /** A listener for the named events (none named: all events). */
    default QmpEventListener listen(String... eventNames) {
        return listen(Set.of(eventNames), null);
    }

    /** The current state. */
    QmpRunState state();

    /** The timeout {@link #execute(QmpCommand)} uses. */
    Duration commandTimeout();

    /**
     * Closes the connection. Pending calls fail with {@link QmpDisconnectedException}, listeners are told.
     * Idempotent.
     */
    @Override
    void close();
}
