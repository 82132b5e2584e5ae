module github.com/workspace-mock/mockserver

go 1.26.8

require (
	github.com/brianvoe/gofakeit/v6 v6.28.0
	github.com/go-chi/chi/v5 v5.5.0
	gopkg.in/yaml.v3 v3.0.1
)
