// Command elfcheck says whether a file is a static Linux executable for one
// architecture, as an image on distroless static (no libc, no loader) needs:
//
//	go run ./tools/elfcheck -arch arm64 ./mockserver
//
// CI runs it on the arm64 binary; `file` may not be installed, debug/elf is.
package main

import (
	"debug/elf"
	"flag"
	"fmt"
	"os"
)

var machines = map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}

func main() {
	arch := flag.String("arch", "arm64", "the GOARCH the file must be built for (amd64 or arm64)")
	flag.Parse()
	if flag.NArg() != 1 || machines[*arch] == 0 {
		fmt.Fprintln(os.Stderr, "usage: elfcheck -arch amd64|arm64 FILE")
		os.Exit(2)
	}
	if err := check(flag.Arg(0), machines[*arch]); err != nil {
		fmt.Fprintln(os.Stderr, "elfcheck:", err)
		os.Exit(1)
	}
	fmt.Printf("%s: static %s ELF executable\n", flag.Arg(0), *arch)
}

func check(path string, want elf.Machine) error {
	f, err := elf.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if f.Machine != want {
		return fmt.Errorf("%s: built for %s, want %s", path, f.Machine, want)
	}
	if f.Type != elf.ET_EXEC {
		return fmt.Errorf("%s: %s, want an executable (ET_EXEC; a PIE needs a loader)", path, f.Type)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return fmt.Errorf("%s: asks for a dynamic loader: build with CGO_ENABLED=0", path)
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		return fmt.Errorf("%s: links %v dynamically", path, libs)
	}
	return nil
}
