// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.store;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.virtbackup.api.CheckpointListFlag;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;

/**
 * An immutable view of a domain's checkpoints as a forest, with libvirt's rules for listing, redefining and
 * deleting (libvirt-backup-reference.md §2.4, §3.2, §5.2). Pure: no I/O.
 *
 * <p>Sibling order is creation time, then name, so every listing is deterministic (libvirt's order without
 * {@code TOPOLOGICAL} is its hash table's, which callers cannot rely on anyway).
 */
public final class CheckpointTree {

    private static final Comparator<CheckpointNode> ORDER =
            Comparator.comparingLong(CheckpointNode::creationTime).thenComparing(CheckpointNode::name);

    private final Map<String, CheckpointNode> nodes;
    /** Each checkpoint's direct children, in sibling order; built once so that walks stay linear. */
    private final Map<String, List<String>> children = new HashMap<>();
    private final List<String> roots = new ArrayList<>();
    /** Every checkpoint, parents first: computed once, as a tree is now kept between listings. */
    private final List<String> topological;

    private CheckpointTree(Map<String, CheckpointNode> nodes) {
        this.nodes = nodes;
        for (CheckpointNode n : nodes.values()) {
            Optional<String> parent = n.parent().filter(nodes::containsKey);
            if (parent.isPresent()) {
                children.computeIfAbsent(parent.get(), k -> new ArrayList<>()).add(n.name());
            } else {
                roots.add(n.name());
            }
        }
        List<String> order = new ArrayList<>();
        for (String root : roots) {
            order.add(root);
            order.addAll(descendants(root));
        }
        this.topological = List.copyOf(order);
    }

    /**
     * Builds the tree. A checkpoint whose parent is missing is treated as a root, as libvirt does when it
     * loads metadata ("Checkpoints have inconsistent relations" is only logged).
     */
    public static CheckpointTree of(Collection<CheckpointNode> checkpoints) {
        Map<String, CheckpointNode> m = new LinkedHashMap<>();
        checkpoints.stream().sorted(ORDER).forEach(n -> m.put(n.name(), n));
        return new CheckpointTree(m);
    }

    /** Whether a checkpoint of that name exists. */
    public boolean contains(String name) {
        return nodes.containsKey(name);
    }

    /** The node of that name. */
    public Optional<CheckpointNode> get(String name) {
        return Optional.ofNullable(nodes.get(name));
    }

    /** The number of checkpoints. */
    public int size() {
        return nodes.size();
    }

    /** The parent of {@code name}, if it has one that exists. */
    public Optional<String> parentOf(String name) {
        return require(name).parent().filter(nodes::containsKey);
    }

    /** Direct children of {@code name}, in sibling order. */
    public List<String> children(String name) {
        require(name);
        return List.copyOf(children.getOrDefault(name, List.of()));
    }

    /** All descendants of {@code name}, parents before children (each once, even in a cycle of bad metadata). */
    public List<String> descendants(String name) {
        List<String> out = new ArrayList<>();
        Set<String> seen = new HashSet<>(Set.of(name));
        Deque<String> todo = new ArrayDeque<>(children(name));
        while (!todo.isEmpty()) {
            String n = todo.removeFirst();
            if (!seen.add(n)) {
                continue;
            }
            out.add(n);
            List<String> kids = children.getOrDefault(n, List.of());
            for (int i = kids.size() - 1; i >= 0; i--) {
                todo.addFirst(kids.get(i));
            }
        }
        return out;
    }

    /** Checkpoints without an (existing) parent, in sibling order. */
    public List<String> roots() {
        return List.copyOf(roots);
    }

    /** Every checkpoint, parents before children (depth first from each root). */
    public List<String> topological() {
        return topological;
    }

    /**
     * {@code virDomainListAllCheckpoints}: {@code ROOTS} keeps roots only; {@code LEAVES} and
     * {@code NO_LEAVES} filter (both together keep everything, as in libvirt); the order is topological
     * either way, which satisfies {@code TOPOLOGICAL}.
     */
    public List<String> list(Set<CheckpointListFlag> flags) {
        List<String> base = flags.contains(CheckpointListFlag.ROOTS) ? roots() : topological();
        return filterLeaves(base, flags);
    }

    /**
     * {@code virDomainCheckpointListAllChildren}: direct children, or with {@code DESCENDANTS} all of them;
     * {@code LEAVES}/{@code NO_LEAVES} filter.
     */
    public List<String> listChildren(String name, Set<CheckpointListFlag> flags) {
        List<String> base = flags.contains(CheckpointListFlag.DESCENDANTS) ? descendants(name) : children(name);
        return filterLeaves(base, flags);
    }

    private List<String> filterLeaves(List<String> names, Set<CheckpointListFlag> flags) {
        boolean leaves = flags.contains(CheckpointListFlag.LEAVES);
        boolean noLeaves = flags.contains(CheckpointListFlag.NO_LEAVES);
        if (leaves == noLeaves) {
            return names;
        }
        return names.stream().filter(n -> !children.containsKey(n) == leaves).toList();
    }

    /**
     * Checks a redefinition of {@code name} with {@code parent} (libvirt's {@code virDomainMomentCheckCycles}).
     *
     * @throws VirtBackupException {@link ErrorCode#INVALID_ARG} for an own parent, a missing parent or a cycle
     */
    public void checkRedefine(String name, Optional<String> parent) {
        if (parent.isEmpty()) {
            return;
        }
        String p = parent.get();
        if (p.equals(name)) {
            throw invalid("cannot set moment " + name + " as its own parent");
        }
        if (!nodes.containsKey(p)) {
            throw invalid("parent " + p + " for moment " + name + " not found");
        }
        if (nodes.containsKey(name) && descendants(name).contains(p)) {
            throw invalid("parent " + p + " would create cycle to " + name);
        }
    }



    private CheckpointNode require(String name) {
        CheckpointNode n = nodes.get(name);
        if (n == null) {
            throw new VirtBackupException(ErrorCode.NO_DOMAIN_CHECKPOINT, ErrorDomain.QEMU,
                    "no domain checkpoint with matching name '" + name + "'");
        }
        return n;
    }

    private static VirtBackupException invalid(String message) {
        return new VirtBackupException(ErrorCode.INVALID_ARG, ErrorDomain.DOMAIN_CHECKPOINT, message);
    }
}
