#!/usr/bin/env python3
# Probe: what blockdev-reopen needs on QEMU 7.2 to make a read-only backing layer writable for a bitmap
# removal, for the layer shapes virtbackup meets. Trace: probe_reopen.trace (qmplib format).
import json, os, shutil, sys
sys.path.insert(0, "/work/shared/reference/qmp-traces")
from qmplib import QMP, start_qemu, stop_qemu, sh

W = "/tmp/vb-reopen-probe"
shutil.rmtree(W, ignore_errors=True); os.makedirs(W)
TRACE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "probe_reopen.trace")
if os.path.exists(TRACE): os.unlink(TRACE)

# what query-named-block-nodes reports and virtbackup repeats in a reopen
KEEP = {"cache": {"direct": False, "no-flush": False}, "detect-zeroes": "off"}
def bd(o): return ["-blockdev", json.dumps(o)]
def ro_flags(q):
    return {n["node-name"]: (n["drv"], n["ro"], [b.get("name", "<anonymous>") for b in n.get("dirty-bitmaps", [])])
            for n in q.cmd("query-named-block-nodes", {"flat": True})}
def trycmd(q, name, args):
    r = q.cmd(name, args, check=False)
    q.note("=> " + ("ERROR " + r["error"]["desc"] if "error" in r else "ok"))
    return "error" not in r

# ---------------------------------------------------------------- A: EmbeddedQemu/libvirt layout
sh(None, f"qemu-img create -q -f qcow2 {W}/a.qcow2 64M")
p = start_qemu(f"{W}/a.sock", ["-machine", "q35,accel=tcg", "-S",
    *bd({"driver": "file", "node-name": "vda-storage", "filename": f"{W}/a.qcow2", "auto-read-only": True, "discard": "unmap"}),
    *bd({"driver": "qcow2", "node-name": "vda-format", "file": "vda-storage", "read-only": False, "discard": "unmap", "backing": None}),
    "-device", "virtio-blk-pci,drive=vda-format,id=vda"], machine="q35,accel=tcg")
q = QMP(f"{W}/a.sock", TRACE)
q.note("A: -blockdev layout of EmbeddedQemu (file node auto-read-only) + external snapshot with blockdev-snapshot")
q.cmd("block-dirty-bitmap-add", {"node": "vda-format", "name": "cp1", "persistent": True})
sh(q, f"qemu-img create -q -f qcow2 -b {W}/a.qcow2 -F qcow2 {W}/a-ovl.qcow2")
q.cmd("blockdev-add", {"driver": "qcow2", "node-name": "ovl-format", "discard": "unmap", "backing": None,
    "file": {"driver": "file", "node-name": "ovl-storage", "filename": f"{W}/a-ovl.qcow2", "auto-read-only": True, "discard": "unmap"}})
q.cmd("blockdev-snapshot", {"node": "vda-format", "overlay": "ovl-format"})
q.note("after blockdev-snapshot: %s" % ro_flags(q))
q.cmd("block-dirty-bitmap-add", {"node": "ovl-format", "name": "cp1", "persistent": True})
q.note("make the old top read-only as a snapshot tool would (libvirt marks backing layers read-only):")
trycmd(q, "blockdev-reopen", {"options": [{"driver": "qcow2", "node-name": "vda-format", "file": "vda-storage", "read-only": True}]})
trycmd(q, "blockdev-reopen", {"options": [{"driver": "qcow2", "node-name": "vda-format", "file": "vda-storage", "backing": None, "read-only": True, "discard": "unmap"}]})
q.note("ro now: %s" % ro_flags(q))
q.note("remove a bitmap from the read-only layer:")
trycmd(q, "block-dirty-bitmap-remove", {"node": "vda-format", "name": "cp1"})
q.note("reopen rw with children by node name (libvirt's qemuBlockReopenFormat shape):")
trycmd(q, "blockdev-reopen", {"options": [{"driver": "qcow2", "node-name": "vda-format", "file": "vda-storage", "backing": None, "read-only": False, "discard": "unmap"}]})
q.note("ro now: %s" % ro_flags(q))
trycmd(q, "transaction", {"actions": [
    {"type": "block-dirty-bitmap-remove", "data": {"node": "ovl-format", "name": "cp1"}},
    {"type": "block-dirty-bitmap-remove", "data": {"node": "vda-format", "name": "cp1"}}]})
trycmd(q, "blockdev-reopen", {"options": [{"driver": "qcow2", "node-name": "vda-format", "file": "vda-storage", "backing": None, "read-only": True, "discard": "unmap"}]})
q.note("ro now: %s" % ro_flags(q))
q.note("reopen of the same options twice (idempotent undo):")
trycmd(q, "blockdev-reopen", {"options": [{"driver": "qcow2", "node-name": "vda-format", "file": "vda-storage", "backing": None, "read-only": True, "discard": "unmap"}]})
q.note("a busy bitmap in the same transaction (failure in the middle): add cp2 in both layers, keep ovl's cp2 busy")
trycmd(q, "blockdev-reopen", {"options": [{"driver": "qcow2", "node-name": "vda-format", "file": "vda-storage", "backing": None, "read-only": False, "discard": "unmap"}]})
q.cmd("block-dirty-bitmap-add", {"node": "vda-format", "name": "cp2", "persistent": True})
q.cmd("block-dirty-bitmap-add", {"node": "ovl-format", "name": "cp2", "persistent": True})
trycmd(q, "blockdev-reopen", {"options": [{"driver": "qcow2", "node-name": "vda-format", "file": "vda-storage", "backing": None, "read-only": True, "discard": "unmap"}]})
q.cmd("human-monitor-command", {"command-line": 'qemu-io -d /machine/peripheral/vda/virtio-backend "write 0 4M"'})
q.cmd("blockdev-add", {"driver": "null-co", "node-name": "nul", "size": 64 << 20})
q.cmd("blockdev-backup", {"job-id": "busy", "device": "ovl-format", "target": "nul", "sync": "bitmap", "bitmap": "cp2", "bitmap-mode": "never", "speed": 1})
trycmd(q, "blockdev-reopen", {"options": [{"driver": "qcow2", "node-name": "vda-format", "file": "vda-storage", "backing": None, "read-only": False, "discard": "unmap"}]})
trycmd(q, "transaction", {"actions": [
    {"type": "block-dirty-bitmap-remove", "data": {"node": "ovl-format", "name": "cp2"}},
    {"type": "block-dirty-bitmap-remove", "data": {"node": "vda-format", "name": "cp2"}}]})
trycmd(q, "blockdev-reopen", {"options": [{"driver": "qcow2", "node-name": "vda-format", "file": "vda-storage", "backing": None, "read-only": True, "discard": "unmap"}]})
q.note("ro now: %s" % ro_flags(q))
q.cmd("job-cancel", {"id": "busy"}); q.wait_event("JOB_STATUS_CHANGE", lambda e: e["data"]["status"] == "null")
q.note("after the job: the delete works")
trycmd(q, "blockdev-reopen", {"options": [{"driver": "qcow2", "node-name": "vda-format", "file": "vda-storage", "backing": None, "read-only": False, "discard": "unmap"}]})
trycmd(q, "transaction", {"actions": [
    {"type": "block-dirty-bitmap-remove", "data": {"node": "ovl-format", "name": "cp2"}},
    {"type": "block-dirty-bitmap-remove", "data": {"node": "vda-format", "name": "cp2"}}]})
trycmd(q, "blockdev-reopen", {"options": [{"driver": "qcow2", "node-name": "vda-format", "file": "vda-storage", "backing": None, "read-only": True, "discard": "unmap"}]})
q.cmd("blockdev-del", {"node-name": "nul"})
stop_qemu(q, p)
sh(q, f"qemu-img info {W}/a.qcow2 | sed -n '/bitmaps/,$p'")
sh(q, f"qemu-img check {W}/a.qcow2")
q.close()

# ---------------------------------------------------------------- B: 3-layer chain, backing file nodes read-only:true (no auto-read-only)
sh(None, f"qemu-img create -q -f qcow2 {W}/base.qcow2 64M && qemu-img create -q -f qcow2 -b {W}/base.qcow2 -F qcow2 {W}/mid.qcow2 && qemu-img create -q -f qcow2 -b {W}/mid.qcow2 -F qcow2 {W}/top.qcow2")
for f in ["base", "mid", "top"]:
    sh(None, f"qemu-img bitmap --add {W}/{f}.qcow2 cp1")
p = start_qemu(f"{W}/b.sock", [
    *bd({"driver": "file", "filename": f"{W}/base.qcow2", "node-name": "base-storage", "read-only": True}),
    *bd({"driver": "qcow2", "node-name": "base-format", "file": "base-storage", "read-only": True, "backing": None}),
    *bd({"driver": "file", "filename": f"{W}/mid.qcow2", "node-name": "mid-storage", "read-only": True}),
    *bd({"driver": "qcow2", "node-name": "mid-format", "file": "mid-storage", "read-only": True, "backing": "base-format"}),
    *bd({"driver": "file", "filename": f"{W}/top.qcow2", "node-name": "top-storage"}),
    *bd({"driver": "qcow2", "node-name": "top-format", "file": "top-storage", "backing": "mid-format"})])
q = QMP(f"{W}/b.sock", TRACE)
q.note("B: chain with read-only file nodes without auto-read-only (GraphFixtures chain3 shape)")
q.note("nodes: %s" % ro_flags(q))
q.note("format node only, file by name: ")
trycmd(q, "blockdev-reopen", {"options": [{"driver": "qcow2", "node-name": "mid-format", "file": "mid-storage", "backing": "base-format", "read-only": False}]})
q.note("backing omitted:")
trycmd(q, "blockdev-reopen", {"options": [{"driver": "qcow2", "node-name": "mid-format", "file": "mid-storage", "read-only": False}]})
q.note("file node listed first, then the format node, in one reopen:")
trycmd(q, "blockdev-reopen", {"options": [
    {"driver": "file", "node-name": "mid-storage", "filename": f"{W}/mid.qcow2", "read-only": False, **KEEP},
    {"driver": "qcow2", "node-name": "mid-format", "file": "mid-storage", "backing": "base-format", "read-only": False, **KEEP}]})
q.note("format node with the file child's options inline (file reopened as child):")
trycmd(q, "blockdev-reopen", {"options": [
    {"driver": "qcow2", "node-name": "base-format", "backing": None, "read-only": False,
     "file": {"driver": "file", "node-name": "base-storage", "filename": f"{W}/base.qcow2"}}]})
q.note("nodes: %s" % ro_flags(q))
trycmd(q, "transaction", {"actions": [
    {"type": "block-dirty-bitmap-remove", "data": {"node": n, "name": "cp1"}} for n in ["top-format", "mid-format"]]})
trycmd(q, "blockdev-reopen", {"options": [
    {"driver": "qcow2", "node-name": "mid-format", "file": "mid-storage", "backing": "base-format", "read-only": True, **KEEP},
    {"driver": "file", "node-name": "mid-storage", "filename": f"{W}/mid.qcow2", "read-only": True, **KEEP}]})
trycmd(q, "blockdev-reopen", {"options": [
    {"driver": "qcow2", "node-name": "base-format", "backing": None, "read-only": True,
     "file": {"driver": "file", "node-name": "base-storage", "filename": f"{W}/base.qcow2", "read-only": True}}]})
q.note("nodes: %s" % ro_flags(q))
stop_qemu(q, p)
sh(q, f"for f in base mid top; do qemu-img info {W}/$f.qcow2 | grep -c 'name: cp1' || true; done")
q.close()

# ---------------------------------------------------------------- C: -drive with an implicitly opened backing chain
sh(None, f"qemu-img create -q -f qcow2 {W}/dbase.qcow2 64M && qemu-img create -q -f qcow2 -b {W}/dbase.qcow2 -F qcow2 {W}/dtop.qcow2")
sh(None, f"qemu-img bitmap --add {W}/dbase.qcow2 cp1 && qemu-img bitmap --add {W}/dtop.qcow2 cp1")
p = start_qemu(f"{W}/c.sock", ["-machine", "q35,accel=tcg", "-S",
    "-drive", f"file={W}/dtop.qcow2,format=qcow2,if=none,id=drive-vdd", "-device", "virtio-blk-pci,drive=drive-vdd,id=vdd"],
    machine="q35,accel=tcg")
q = QMP(f"{W}/c.sock", TRACE)
q.note("C: -drive, backing chain opened from the image header (auto-generated node names)")
nodes = q.cmd("query-named-block-nodes", {"flat": True})
q.note("nodes: %s" % {n["node-name"]: (n["drv"], n["ro"], n["file"]) for n in nodes})
fmt = {n["file"]: n["node-name"] for n in nodes if n["drv"] == "qcow2"}
prot = {n["file"]: n["node-name"] for n in nodes if n["drv"] == "file"}
base, basefile = fmt[f"{W}/dbase.qcow2"], prot[f"{W}/dbase.qcow2"]
trycmd(q, "blockdev-reopen", {"options": [{"driver": "qcow2", "node-name": base, "file": basefile, "backing": None, "read-only": False}]})
q.note("nodes: %s" % ro_flags(q))
trycmd(q, "blockdev-reopen", {"options": [
    {"driver": "file", "node-name": basefile, "filename": f"{W}/dbase.qcow2", "read-only": False},
    {"driver": "qcow2", "node-name": base, "file": basefile, "backing": None, "read-only": False}]})
q.note("nodes: %s" % ro_flags(q))
trycmd(q, "block-dirty-bitmap-remove", {"node": base, "name": "cp1"})
trycmd(q, "blockdev-reopen", {"options": [
    {"driver": "qcow2", "node-name": base, "file": basefile, "backing": None, "read-only": True},
    {"driver": "file", "node-name": basefile, "filename": f"{W}/dbase.qcow2", "read-only": True}]})
q.note("nodes: %s" % ro_flags(q))
stop_qemu(q, p)
sh(q, f"qemu-img info {W}/dbase.qcow2 | sed -n '/bitmaps/,/refcount/p'")
q.close()
print("done")
