// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.block;

import java.util.AbstractList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A node's dirty bitmaps in QEMU's order, immutable, with a lookup by name: a domain with a thousand checkpoints
 * has a thousand bitmaps per node, and the health report looks each one up (a scan per lookup was quadratic).
 */
final class BitmapList extends AbstractList<BitmapInfo> {

    private final List<BitmapInfo> list;
    private final Map<String, BitmapInfo> byName;

    private BitmapList(List<BitmapInfo> list) {
        this.list = list;
        this.byName = new HashMap<>(list.size() * 2);
        for (BitmapInfo b : list) {
            byName.putIfAbsent(b.name(), b); // QEMU refuses a second bitmap of the same name on one node
        }
    }

    static BitmapList of(List<BitmapInfo> bitmaps) {
        return bitmaps instanceof BitmapList l ? l : new BitmapList(List.copyOf(bitmaps));
    }

    Optional<BitmapInfo> named(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    @Override
    public BitmapInfo get(int index) {
        return list.get(index);
    }

    @Override
    public int size() {
        return list.size();
    }
}
