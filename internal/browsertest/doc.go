// Package browsertest drives the control page (GET /_mock/ui) in a real
// headless Chromium (Debian's chromium package, which .ci/run installs):
// its tests click through it and check what the emulator then does.
package browsertest
