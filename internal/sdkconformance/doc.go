// Package sdkconformance holds only tests: the official Huawei Cloud Go SDK
// (a test dependency, never linked into the server) run against the emulator.
package sdkconformance
