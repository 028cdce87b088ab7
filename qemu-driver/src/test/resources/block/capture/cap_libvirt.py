# libvirt's two-disk q35 domain, -blockdev/-device lines copied from s6_libvirt/qemu-cmdline-bk.log
import json, subprocess, os, sys
from qmpcap import *
d = "/tmp/vbplan/cap/img"; os.makedirs(d, exist_ok=True)
subprocess.run(["qemu-img","create","-q","-f","qcow2",f"{d}/bk-vda.qcow2","1G"],check=True)
subprocess.run(["qemu-img","create","-q","-f","qcow2",f"{d}/bk-vdb.qcow2","64M"],check=True)
bd = lambda o: ["-blockdev", json.dumps(o)]
dev = lambda o: ["-device", json.dumps(o)]
args = ["-machine","pc-q35-7.2,usb=off","-accel","tcg","-m","256","-S","-display","none","-nodefaults","-no-user-config",
 *dev({"driver":"pcie-root-port","port":8,"chassis":1,"id":"pci.1","bus":"pcie.0","multifunction":True,"addr":"0x1"}),
 *dev({"driver":"pcie-root-port","port":9,"chassis":2,"id":"pci.2","bus":"pcie.0","addr":"0x1.0x1"}),
 *bd({"driver":"file","filename":f"{d}/bk-vda.qcow2","node-name":"libvirt-2-storage","auto-read-only":True,"discard":"unmap"}),
 *bd({"node-name":"libvirt-2-format","read-only":False,"driver":"qcow2","file":"libvirt-2-storage","backing":None}),
 *dev({"driver":"virtio-blk-pci","bus":"pci.1","addr":"0x0","drive":"libvirt-2-format","id":"virtio-disk0","bootindex":1}),
 *bd({"driver":"file","filename":f"{d}/bk-vdb.qcow2","node-name":"libvirt-1-storage","auto-read-only":True,"discard":"unmap"}),
 *bd({"node-name":"libvirt-1-format","read-only":False,"driver":"qcow2","file":"libvirt-1-storage","backing":None}),
 *dev({"driver":"virtio-blk-pci","bus":"pci.2","addr":"0x0","drive":"libvirt-1-format","id":"virtio-disk1"})]
p, f = start(args, "/tmp/vbplan/cap/lv.sock")
cmd(f, "qmp_capabilities")
qb = cmd(f, "query-block")
qn = cmd(f, "query-named-block-nodes", {"flat": True})
json.dump({"query-block": qb, "query-named-block-nodes": qn}, open("libvirt-raw.json","w"), indent=1)
cmd(f, "quit"); p.wait()
