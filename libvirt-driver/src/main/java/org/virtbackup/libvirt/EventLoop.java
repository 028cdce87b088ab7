// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.libvirt;

import org.libvirt.Connect;
import org.libvirt.Library;
import org.libvirt.LibvirtException;
import org.libvirt.jna.Libvirt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * libvirt's default event loop ({@code virEventRegisterDefaultImpl}), run by one daemon thread of this driver
 * ({@code virEventRunDefaultImpl} in a loop). libvirt needs it registered before the first connection opens:
 * the embedded QEMU driver watches QEMU's monitor through it, domain events (JOB_COMPLETED) are dispatched by
 * it, and the remote driver's keepalive needs it. One per process, as libvirt allows only one: an application that
 * also opens libvirt connections of its own (libvirt-java's {@code Connect}) in this process calls
 * {@link #ensureRunning()} first, and must not start a second loop.
 */
public final class EventLoop {
    private static final Logger LOG = LoggerFactory.getLogger(EventLoop.class);
    private static Thread thread;
    /**
     * libvirt's default error handler prints every error on stderr ("libvirt: QEMU Driver error : ..."); we
     * raise them as exceptions instead and log them at debug. Held here so the native callback is never
     * collected.
     */
    private static final Libvirt.VirErrorCallback QUIET = (userData, error) ->
            LOG.debug("libvirt error {}: {}", error.code, error.message);

    private EventLoop() {
    }

    /** Registers and starts the loop once per process; later calls return at once. */
    public static synchronized void ensureRunning() {
        if (thread != null) {
            return;
        }
        LibvirtErrors.call(() -> {
            Connect.setErrorCallback(QUIET);
            Library.initEventLoop();
            return null;
        });
        thread = new Thread(EventLoop::run, "libvirt-event-loop");
        thread.setDaemon(true);
        thread.start();
    }

    /** Whether the loop thread is running. */
    public static synchronized boolean isRunning() {
        return thread != null && thread.isAlive();
    }

    private static void run() {
        while (true) {
            try {
                Library.processEvent();
            } catch (LibvirtException e) {
                // one failed iteration (e.g. a poll interrupted by a signal) must not end event delivery
                LOG.warn("libvirt event loop iteration failed: {}", e.getError().getMessage());
            } catch (RuntimeException e) {
                LOG.error("libvirt event loop: a callback threw", e);
            }
        }
    }
}
