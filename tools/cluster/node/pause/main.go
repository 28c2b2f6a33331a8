// The node's pause image: the process that holds each pod's namespaces. Built CGO_ENABLED=0 into a
// FROM scratch image by tools/cluster/node/pause-image.ts. It waits for SIGTERM or SIGINT and exits 0,
// and, as PID 1 of a pod that shares its PID namespace, reaps the zombies it inherits.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	signals := make(chan os.Signal, 4)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT, syscall.SIGCHLD)
	for received := range signals {
		if received != syscall.SIGCHLD {
			os.Exit(0)
		}
		for {
			pid, err := syscall.Wait4(-1, nil, syscall.WNOHANG, nil)
			if pid <= 0 || err != nil {
				break
			}
		}
	}
}
