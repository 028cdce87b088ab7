// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.libvirt;

import com.sun.jna.Callback;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.PointerType;
import java.lang.reflect.Field;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.libvirt.Connect;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;

/**
 * libvirt's {@code VIR_DOMAIN_EVENT_ID_JOB_COMPLETED} domain event, which libvirt-java 0.5.4 does not bind: the
 * registration is made here with JNA against {@code libvirt.so.0} (signatures from libvirt's public
 * {@code libvirt-domain.h}: {@code virConnectDomainEventRegisterAny}, {@code virConnectDomainEventDeregisterAny},
 * {@code virConnectDomainEventJobCompletedCallback}).
 *
 * <p>libvirt calls the callback on the {@link EventLoop} thread; nothing there may call back into libvirt, so the
 * callback only hands the domain's name to one thread of this connection, which runs the subscribers. One
 * registration per connection, for every domain, made on the first subscription.
 */
final class JobCompletedEvents implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JobCompletedEvents.class);

    /** {@code VIR_DOMAIN_EVENT_ID_JOB_COMPLETED} in {@code virDomainEventID}. */
    static final int EVENT_ID_JOB_COMPLETED = 21;

    /** The functions libvirt-java lacks, bound by name from {@code libvirt.so.0}. */
    interface Lib extends Library {
        Lib INSTANCE = Native.load("virt", Lib.class);

        int virConnectDomainEventRegisterAny(Pointer conn, Pointer dom, int eventId, Callback cb, Pointer opaque,
                Pointer freecb);

        int virConnectDomainEventDeregisterAny(Pointer conn, int callbackId);

        String virDomainGetName(Pointer dom);
    }

    /** Ends a subscription. */
    interface Subscription extends AutoCloseable {
        @Override
        void close();
    }

    /** {@code virConnectDomainEventJobCompletedCallback}. */
    interface JobCompletedCallback extends Callback {
        void invoke(Pointer conn, Pointer dom, Pointer params, int nparams, Pointer opaque);
    }

    private final Connect conn;
    private final Map<String, List<Runnable>> subscribers = new ConcurrentHashMap<>();
    private final ExecutorService dispatch = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "libvirt-job-events");
        t.setDaemon(true);
        return t;
    });
    /** Held while registered: libvirt keeps only the native address of it. */
    private final JobCompletedCallback callback = this::onEvent;
    private int callbackId = -1;
    private boolean closed;

    JobCompletedEvents(Connect conn) {
        this.conn = conn;
    }

    /**
     * Calls {@code onCompleted} (on this connection's event thread) each time a job of {@code domain} completes,
     * until the returned handle is closed.
     */
    synchronized Subscription subscribe(String domain, Runnable onCompleted) {
        register();
        subscribers.computeIfAbsent(domain, d -> new CopyOnWriteArrayList<>()).add(onCompleted);
        return () -> subscribers.getOrDefault(domain, List.of()).remove(onCompleted);
    }

    private void register() {
        if (closed) {
            throw new VirtBackupException(ErrorCode.INVALID_CONN, ErrorDomain.NONE, "the connection is closed");
        }
        if (callbackId >= 0) {
            return;
        }
        int id = Lib.INSTANCE.virConnectDomainEventRegisterAny(pointer(conn), null, EVENT_ID_JOB_COMPLETED,
                callback, null, null);
        if (id < 0) {
            throw LibvirtErrors.lastError(new VirtBackupException(ErrorCode.INTERNAL_ERROR, ErrorDomain.NONE,
                    "cannot register for libvirt's job-completed events"));
        }
        callbackId = id;
    }

    private void onEvent(Pointer connPtr, Pointer dom, Pointer params, int nparams, Pointer opaque) {
        String name = Lib.INSTANCE.virDomainGetName(dom);
        List<Runnable> subs = name == null ? List.of() : subscribers.getOrDefault(name, List.of());
        if (subs.isEmpty()) {
            return;
        }
        dispatch.execute(() -> subs.forEach(s -> {
            try {
                s.run();
            } catch (RuntimeException e) {
                LOG.warn("a job-completed subscriber of domain '{}' failed", name, e);
            }
        }));
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (callbackId >= 0) {
            Lib.INSTANCE.virConnectDomainEventDeregisterAny(pointer(conn), callbackId);
            callbackId = -1;
        }
        dispatch.shutdown();
    }

    /** The {@code virConnectPtr} libvirt-java keeps in a protected field. */
    private static Pointer pointer(Connect conn) {
        try {
            Field f = Connect.class.getDeclaredField("vcp");
            f.setAccessible(true);
            return ((PointerType) f.get(conn)).getPointer();
        } catch (ReflectiveOperationException e) {
            throw new VirtBackupException(ErrorCode.INTERNAL_ERROR, ErrorDomain.NONE,
                    "this libvirt-java has no Connect.vcp; the libvirt driver was built against 0.5.4", e);
        }
    }
}
