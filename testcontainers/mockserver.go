// Package mockserver runs the Huawei Cloud Workspace emulator
// (github.com/workspace-mock/mockserver) as a container in Go tests, in the
// conventions of testcontainers-go's modules:
//
//	ctr, err := mockserver.Run(ctx, "workspace-mockserver:latest",
//		mockserver.WithScenario("flaky"), mockserver.WithAdminToken("t"))
//	testcontainers.CleanupContainer(t, ctr)
//	url, err := ctr.APIURL(ctx)      // http://127.0.0.1:32768
//	admin, err := ctr.Admin(ctx)     // /_mock/: scenario, error, clock, reset, requests
//
// Run waits until the emulator answers GET /healthz. It is a module of its
// own so that the emulator's module gains no Docker dependency; a Go test
// that needs no container uses the in-process package
// github.com/workspace-mock/mockserver/workspacemock instead.
package mockserver

import (
	"context"
	"fmt"
	"io/fs"
	"path/filepath"
	"strconv"
	"time"

	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/wait"
)

const (
	// Port is the port the image serves HTTP on (its MOCK_ADDR=:8080).
	Port = "8080/tcp"
	// ScenariosPath is where WithScenariosDir copies a folder to.
	ScenariosPath = "/scenarios"
)

// Container is a running emulator.
type Container struct {
	testcontainers.Container
	settings options
}

// options is the state Run needs after the container starts.
type options struct {
	adminToken string
}

// Option is a setting that the container's accessors need as well as the
// container itself (the admin token).
type Option func(*options) error

// Customize makes an Option a testcontainers.ContainerCustomizer; what it
// does to the request Run adds from the settings.
func (o Option) Customize(*testcontainers.GenericContainerRequest) error { return nil }

// Run starts the image (built from the repository's Dockerfile, e.g.
// `docker build -t workspace-mockserver .`) and waits for GET /healthz to
// answer 200. Options are this package's and testcontainers' own
// (testcontainers.WithEnv(map[string]string{"MOCK_SEED": "7"}) sets any flag
// through its MOCK_ twin).
func Run(ctx context.Context, img string, opts ...testcontainers.ContainerCustomizer) (*Container, error) {
	var settings options
	for _, opt := range opts {
		if o, ok := opt.(Option); ok {
			if err := o(&settings); err != nil {
				return nil, fmt.Errorf("mockserver: %w", err)
			}
		}
	}
	moduleOpts := []testcontainers.ContainerCustomizer{
		testcontainers.WithExposedPorts(Port),
		testcontainers.WithEnv(map[string]string{"MOCK_ADDR": ":8080"}),
		testcontainers.WithWaitStrategy(wait.ForHTTP("/healthz").WithPort(Port).
			WithStartupTimeout(60 * time.Second).WithPollInterval(100 * time.Millisecond)),
	}
	if settings.adminToken != "" {
		moduleOpts = append(moduleOpts, testcontainers.WithEnv(map[string]string{"MOCK_ADMIN_TOKEN": settings.adminToken}))
	}
	moduleOpts = append(moduleOpts, opts...)

	ctr, err := testcontainers.Run(ctx, img, moduleOpts...)
	var c *Container
	if ctr != nil {
		c = &Container{Container: ctr, settings: settings}
	}
	if err != nil {
		return c, fmt.Errorf("run mockserver: %w", err)
	}
	return c, nil
}

// WithScenario names the scenario that answers requests no other switch
// steers (--scenario).
func WithScenario(name string) testcontainers.CustomizeRequestOption {
	return testcontainers.WithEnv(map[string]string{"MOCK_SCENARIO": name})
}

// WithScenariosDir copies the scenario files of a folder on the host into
// the container (at ScenariosPath) and serves them instead of the embedded
// set (--scenarios). Files are copied before the start: later edits on the
// host are not seen.
func WithScenariosDir(dir string) testcontainers.CustomizeRequestOption {
	return func(req *testcontainers.GenericContainerRequest) error {
		var files []testcontainers.ContainerFile
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, err := filepath.Rel(dir, path)
			if err != nil {
				return err
			}
			// One file at a time: docker makes the folders on the way, and
			// 0644 lets the image's non-root user read them.
			files = append(files, testcontainers.ContainerFile{HostFilePath: path,
				ContainerFilePath: ScenariosPath + "/" + filepath.ToSlash(rel), FileMode: 0o644})
			return nil
		})
		if err != nil {
			return fmt.Errorf("WithScenariosDir: %w", err)
		}
		if len(files) == 0 {
			return fmt.Errorf("WithScenariosDir: no files in %s", dir)
		}
		if err := testcontainers.WithFiles(files...)(req); err != nil {
			return err
		}
		return testcontainers.WithEnv(map[string]string{"MOCK_SCENARIOS": ScenariosPath})(req)
	}
}

// WithClock starts the simulated clock at start (the zero time: now) with
// speed simulated seconds per real second; speed 0 freezes it
// (--clock-start, --clock-speed).
func WithClock(start time.Time, speed float64) testcontainers.CustomizeRequestOption {
	return func(req *testcontainers.GenericContainerRequest) error {
		if speed < 0 {
			return fmt.Errorf("WithClock: speed %v is negative", speed)
		}
		env := map[string]string{"MOCK_CLOCK_SPEED": strconv.FormatFloat(speed, 'f', -1, 64)}
		if !start.IsZero() {
			env["MOCK_CLOCK_START"] = start.Format(time.RFC3339Nano)
		}
		return testcontainers.WithEnv(env)(req)
	}
}

// WithAdminToken makes the admin API require this Bearer token
// (--admin-token); the container's Admin client sends it.
func WithAdminToken(token string) Option {
	return func(o *options) error {
		if token == "" {
			return fmt.Errorf("WithAdminToken: empty token")
		}
		o.adminToken = token
		return nil
	}
}

// APIURL is the emulator's base URL on the host, e.g. http://127.0.0.1:32768:
// the endpoint for the SDK or any client under test.
func (c *Container) APIURL(ctx context.Context) (string, error) {
	return c.PortEndpoint(ctx, Port, "http")
}

// Admin is a client of the container's admin API, with its token.
func (c *Container) Admin(ctx context.Context) (*Admin, error) {
	url, err := c.APIURL(ctx)
	if err != nil {
		return nil, err
	}
	return NewAdmin(url, c.settings.adminToken), nil
}
