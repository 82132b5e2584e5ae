// Package wsclient is a Go client generated from api/openapi.yaml by
// oapi-codegen, for the Workspace operations only: the proof that the
// contract is enough to generate a working client (see its test), and an
// example of doing so. Regenerate after changing the document:
//
//	go generate ./examples/openapi-client/wsclient
package wsclient

//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen@v2.8.2 -generate types,client -include-tags workspace -package wsclient -o client.gen.go ../../../api/openapi.yaml
