import json, socket, subprocess, sys, time, os
def start(args, sock):
    if os.path.exists(sock): os.unlink(sock)
    p = subprocess.Popen(["qemu-system-x86_64"] + args + ["-qmp", f"unix:{sock},server=on,wait=off"],
                         stdout=subprocess.DEVNULL, stderr=open(sock + ".err", "w"))
    for _ in range(100):
        if os.path.exists(sock): break
        time.sleep(0.05)
    s = socket.socket(socket.AF_UNIX); s.connect(sock)
    f = s.makefile("rw")
    f.readline()
    return p, f
def cmd(f, execute, arguments=None):
    m = {"execute": execute}
    if arguments is not None: m["arguments"] = arguments
    f.write(json.dumps(m) + "\n"); f.flush()
    while True:
        r = json.loads(f.readline())
        if "event" in r: continue
        if "error" in r: raise Exception(json.dumps(r))
        return r["return"]
