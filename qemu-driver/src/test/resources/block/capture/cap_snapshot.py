# vda as virtbackup's launcher (and libvirt) attach it (file node with auto-read-only, qcow2 format node), then
# an external snapshot with blockdev-snapshot: vda-format becomes the read-only backing layer of ovl-format.
# Bitmaps: cp1 in both layers (libvirt copies recording bitmaps into the overlay), cp2 only in the overlay.
# Writes snapshot.json (paths rewritten to /srv/vm).
import json, os, subprocess
from qmpcap import *
d = "/tmp/vbplan/cap/snap"; os.makedirs(d, exist_ok=True)
subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", f"{d}/vda.qcow2", "64M"], check=True)
subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", "-b", f"{d}/vda.qcow2", "-F", "qcow2", f"{d}/vda.ovl.qcow2"], check=True)
bd = lambda o: ["-blockdev", json.dumps(o)]
p, f = start(["-machine", "q35", "-accel", "tcg", "-m", "128", "-S", "-display", "none", "-nodefaults",
    *bd({"driver": "file", "node-name": "vda-storage", "filename": f"{d}/vda.qcow2", "auto-read-only": True, "discard": "unmap"}),
    *bd({"driver": "qcow2", "node-name": "vda-format", "file": "vda-storage", "read-only": False, "discard": "unmap", "backing": None}),
    "-device", "virtio-blk-pci,drive=vda-format,id=vda"], "/tmp/vbplan/cap/snap.sock")
cmd(f, "qmp_capabilities")
cmd(f, "block-dirty-bitmap-add", {"node": "vda-format", "name": "cp1", "persistent": True})
cmd(f, "blockdev-add", {"driver": "qcow2", "node-name": "vda-ovl-format", "discard": "unmap", "backing": None,
    "file": {"driver": "file", "node-name": "vda-ovl-storage", "filename": f"{d}/vda.ovl.qcow2", "auto-read-only": True, "discard": "unmap"}})
cmd(f, "blockdev-snapshot", {"node": "vda-format", "overlay": "vda-ovl-format"})
for b in ["cp1", "cp2"]:
    cmd(f, "block-dirty-bitmap-add", {"node": "vda-ovl-format", "name": b, "persistent": True})
out = {"query-block": cmd(f, "query-block"), "query-named-block-nodes": cmd(f, "query-named-block-nodes", {"flat": True})}
cmd(f, "quit"); p.wait()
open("../snapshot.json", "w").write(json.dumps(out, indent=1).replace(d, "/srv/vm") + "\n")
