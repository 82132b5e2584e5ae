package workspacemock_test

import (
	"fmt"
	"io"
	"net/http"

	"github.com/workspace-mock/mockserver/workspacemock"
)

func Example() {
	srv, err := workspacemock.NewServer(workspacemock.Options{Scenario: "empty"})
	if err != nil {
		panic(err)
	}
	defer srv.Close()

	_ = srv.InjectError(500, 1) // the next call fails
	for i := 0; i < 2; i++ {
		resp, err := http.Get(srv.URL() + "/v2/0bec5db98280d2d02fd6c00c2de791ce/connections/status")
		if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(resp.StatusCode, string(body[:min(len(body), 42)]))
	}
	for _, r := range srv.Requests() {
		fmt.Println(r.Method, r.Path, r.Status)
	}
	// Output:
	// 500 {"error_code":"WKS.00000003","error_msg":"
	// 200 {"statics":[]}
	// GET /v2/0bec5db98280d2d02fd6c00c2de791ce/connections/status 500
	// GET /v2/0bec5db98280d2d02fd6c00c2de791ce/connections/status 200
}
