package cloud

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
)

// ResponsesClient serves the official response examples of dir (under
// testdata/responses) by Action, a 404 for an action without one, and
// returns a client for cn-hangzhou, the examples' region, whose ECS and EBS
// endpoints are that server. look, when set, sees each request first (its
// form parsed) and answers it itself by returning true. Exported for the
// tests of package cloud_test.
func ResponsesClient(t *testing.T, dir string, look func(w http.ResponseWriter, r *http.Request) (answered bool)) *Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		if look != nil && look(w, r) {
			return
		}
		body, err := os.ReadFile(filepath.Join(dir, r.Form.Get("Action")+".json"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	c, err := New(context.Background(), Config{Region: "cn-hangzhou", AccessKey: "ak", SecretKey: "sk",
		Endpoints: Endpoints{ECS: srv.URL, EBS: srv.URL}}, "contract-test")
	if err != nil {
		t.Fatal(err)
	}
	return c
}
