# Run from an empty directory with qmpcap.py (../block/capture/) beside it; needs qemu-system-x86_64, qemu-img, qemu-io.
# Result on QEMU 7.2.22: target mode 0600 kept, chain of 2 images, "Images are identical." (no rebase), inc holds only the dirty 1 MiB.
# check of the backing-file strategy: full <- inc (header backing = full, opened with backing: null)
import json, subprocess, os, time
from qmpcap import *
d = os.getcwd()
subprocess.run(["qemu-img","create","-q","-f","qcow2",f"{d}/src.qcow2","64M"],check=True)
subprocess.run(["qemu-io","-f","qcow2","-c","write -P 0x11 0 4M",f"{d}/src.qcow2"],check=True,capture_output=True)
p, f = start(["-machine","none","-nodefaults","-display","none","-blockdev",
  json.dumps({"driver":"file","node-name":"s-st","filename":f"{d}/src.qcow2"}),"-blockdev",
  json.dumps({"driver":"qcow2","node-name":"src","file":"s-st"})], f"{d}/q.sock")
cmd(f,"qmp_capabilities")
def wait_job(j):
    for _ in range(200):
        st=[x for x in cmd(f,"query-jobs") if x["id"]==j]
        if st and st[0]["status"]=="concluded":
            assert "error" not in st[0], st[0]; cmd(f,"job-dismiss",{"id":j}); return
        time.sleep(0.05)
    raise Exception("timeout")
def target(name, path, backing_file=None):
    open(path,"x").close(); os.chmod(path,0o600)
    cmd(f,"blockdev-create",{"job-id":f"c-{name}-s","options":{"driver":"file","filename":path,"size":0}}); wait_job(f"c-{name}-s")
    cmd(f,"blockdev-add",{"driver":"file","filename":path,"node-name":f"{name}-s","auto-read-only":True,"discard":"unmap"})
    o={"driver":"qcow2","file":f"{name}-s","size":64<<20,"cluster-size":65536}
    if backing_file: o.update({"backing-file":backing_file,"backing-fmt":"qcow2"})
    cmd(f,"blockdev-create",{"job-id":f"c-{name}-f","options":o}); wait_job(f"c-{name}-f")
    cmd(f,"blockdev-add",{"node-name":f"{name}-f","read-only":False,"driver":"qcow2","file":f"{name}-s","backing":None})
def close(name):
    cmd(f,"blockdev-del",{"node-name":f"{name}-f"}); cmd(f,"blockdev-del",{"node-name":f"{name}-s"})
target("full", f"{d}/full.qcow2")
cmd(f,"transaction",{"actions":[{"type":"block-dirty-bitmap-add","data":{"node":"src","name":"cp1","persistent":True,"disabled":False}},
  {"type":"blockdev-backup","data":{"device":"src","job-id":"b1","target":"full-f","sync":"full","auto-finalize":True,"auto-dismiss":False}}]})
wait_job("b1"); close("full")
cmd(f,"human-monitor-command",{"command-line":"qemu-io src \"write -P 0x22 1M 1M\""})
target("inc", f"{d}/inc.qcow2", backing_file=f"{d}/full.qcow2")
cmd(f,"transaction",{"actions":[{"type":"block-dirty-bitmap-add","data":{"node":"src","name":"backup-vda","persistent":False,"disabled":True,"granularity":65536}},
  {"type":"block-dirty-bitmap-merge","data":{"node":"src","target":"backup-vda","bitmaps":[{"node":"src","name":"cp1"}]}},
  {"type":"blockdev-backup","data":{"device":"src","job-id":"b2","target":"inc-f","sync":"incremental","bitmap":"backup-vda","auto-finalize":True,"auto-dismiss":False}}]})
wait_job("b2"); close("inc"); cmd(f,"block-dirty-bitmap-remove",{"node":"src","name":"backup-vda"})
cmd(f,"quit"); p.wait()
print(oct(os.stat(f"{d}/inc.qcow2").st_mode & 0o777))
print(subprocess.run(["qemu-img","info","--backing-chain",f"{d}/inc.qcow2"],capture_output=True,text=True).stdout.count("image:"))
print(subprocess.run(["qemu-img","compare",f"{d}/src.qcow2",f"{d}/inc.qcow2"],capture_output=True,text=True).stdout)
print(subprocess.run(["qemu-img","map","--output=json",f"{d}/inc.qcow2"],capture_output=True,text=True).stdout[:300])
