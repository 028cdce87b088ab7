// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.libvirt;

import java.net.URI;
import java.util.Map;
import java.util.Set;
import org.libvirt.Connect;
import org.virtbackup.api.Connection;
import org.virtbackup.spi.ConnectionDriver;

/**
 * The libvirt driver, for libvirt's own QEMU URIs: {@code qemu:///system}, {@code qemu:///session},
 * {@code qemu:///embed?root=DIR} (libvirt's QEMU driver inside this process, no daemon),
 * {@code qemu+ssh://host/system}, {@code qemu+tls://host/system}, {@code qemu:///system?socket=PATH}, ...
 *
 * <p>The domain is named by the URI's {@code domain=} (taken off before libvirt sees the URI) or the
 * {@code domain} option, as for every virtbackup driver. libvirt keeps its own checkpoint metadata and job state:
 * no state directory is used (a {@code stateDir} option is accepted and ignored, so the CLI's
 * {@code --state-dir} does no harm).
 */
public final class LibvirtDriver implements ConnectionDriver {

    @Override
    public Set<String> uriSchemes() {
        return LibvirtUri.SCHEMES;
    }

    @Override
    public Connection open(URI uri, Map<String, String> options) {
        LibvirtUri u = LibvirtUri.parse(uri, options);
        // libvirt needs its event loop registered before the first virConnectOpen (the embedded driver
        // watches QEMU's monitor through it; events and keepalive need it too)
        EventLoop.ensureRunning();
        Connect conn = LibvirtErrors.call(() -> new Connect(u.libvirt()));
        return new LibvirtConnection(uri, conn, u.domain());
    }
}
