# synthetic graph: vda = 3-layer qcow2 chain (explicit node names), vdb = raw, vdc = qcow2 with an
# inconsistent bitmap (left "in-use" by a SIGKILLed QEMU), drive-vdd = legacy -drive disk (device name set)
import json, subprocess, os, signal
from qmpcap import *
d = "/tmp/vbplan/cap/chain"; os.makedirs(d, exist_ok=True)
def img(*a): subprocess.run(["qemu-img", *a], check=True)
img("create","-q","-f","qcow2",f"{d}/base.qcow2","256M")
img("create","-q","-f","qcow2","-b",f"{d}/base.qcow2","-F","qcow2",f"{d}/mid.qcow2")
img("create","-q","-f","qcow2","-b",f"{d}/mid.qcow2","-F","qcow2",f"{d}/top.qcow2")
img("create","-q","-f","raw",f"{d}/data.raw","32M")
img("create","-q","-f","qcow2","-o","cluster_size=131072",f"{d}/crash.qcow2","128M")
img("create","-q","-f","qcow2",f"{d}/legacy.qcow2","16M")
for b in ["cp1","cpgap","cpbase"]: img("bitmap","--add",f"{d}/base.qcow2",b)
for b in ["cp1","cp2"]: img("bitmap","--add",f"{d}/mid.qcow2",b)
img("bitmap","--add","-g","131072",f"{d}/mid.qcow2","cpdis")
img("bitmap","--disable",f"{d}/mid.qcow2","cpdis")
for b in ["cp1","cp2","cp3","cpgap","cpdis"]: img("bitmap","--add",f"{d}/top.qcow2",b)
img("bitmap","--add",f"{d}/crash.qcow2","cp1")
# leave cp1 in-use in crash.qcow2
p, f = start(["-machine","none","-nodefaults","-display","none","-blockdev",
  json.dumps({"driver":"qcow2","node-name":"c","file":{"driver":"file","filename":f"{d}/crash.qcow2"}})], "/tmp/vbplan/cap/crash.sock")
cmd(f,"qmp_capabilities"); p.send_signal(signal.SIGKILL); p.wait()
img("bitmap","--add",f"{d}/crash.qcow2","cp2")
bd = lambda o: ["-blockdev", json.dumps(o)]
args = ["-machine","q35","-accel","tcg","-m","128","-S","-display","none","-nodefaults",
 *bd({"driver":"file","filename":f"{d}/base.qcow2","node-name":"base-storage","read-only":True}),
 *bd({"driver":"qcow2","node-name":"base-format","file":"base-storage","read-only":True,"backing":None}),
 *bd({"driver":"file","filename":f"{d}/mid.qcow2","node-name":"mid-storage","read-only":True}),
 *bd({"driver":"qcow2","node-name":"mid-format","file":"mid-storage","read-only":True,"backing":"base-format"}),
 *bd({"driver":"file","filename":f"{d}/top.qcow2","node-name":"top-storage","discard":"unmap"}),
 *bd({"driver":"qcow2","node-name":"top-format","file":"top-storage","backing":"mid-format"}),
 "-device","virtio-blk-pci,drive=top-format,id=vda",
 *bd({"driver":"file","filename":f"{d}/data.raw","node-name":"data-storage"}),
 *bd({"driver":"raw","node-name":"data-format","file":"data-storage"}),
 "-device","virtio-blk-pci,drive=data-format,id=vdb",
 *bd({"driver":"file","filename":f"{d}/crash.qcow2","node-name":"crash-storage"}),
 *bd({"driver":"qcow2","node-name":"crash-format","file":"crash-storage"}),
 "-device","virtio-blk-pci,drive=crash-format,id=vdc",
 "-drive",f"file={d}/legacy.qcow2,format=qcow2,if=none,id=drive-vdd",
 "-device","virtio-blk-pci,drive=drive-vdd,id=vdd"]
p, f = start(args, "/tmp/vbplan/cap/ch.sock")
cmd(f, "qmp_capabilities")
qb = cmd(f, "query-block")
qn = cmd(f, "query-named-block-nodes", {"flat": True})
json.dump({"query-block": qb, "query-named-block-nodes": qn}, open("chain-raw.json","w"), indent=1)
cmd(f, "quit"); p.wait()
