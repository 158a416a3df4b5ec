// Command measure runs a command and prints, as the last line of its stdout, what the kernel
// says the command cost: wall and CPU time, peak RSS (ru_maxrss), exit status. It is kept
// small on purpose; see measureBin in ../../measure.go.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

const usagePrefix = "NEWSMILL-BENCH-USAGE "

func main() {
	args := os.Args[1:]
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: measure -- COMMAND [ARGS]")
		os.Exit(2)
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if cmd.ProcessState == nil {
		fmt.Fprintln(os.Stderr, "measure:", err)
		os.Exit(1)
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	b, _ := json.Marshal(map[string]int64{
		"wall_ns":   int64(wall),
		"cpu_ns":    ru.Utime.Nano() + ru.Stime.Nano(),
		"maxrss_kb": ru.Maxrss,
		"exit":      int64(cmd.ProcessState.ExitCode()),
	})
	fmt.Printf("\n%s%s\n", usagePrefix, b)
}
