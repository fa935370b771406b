package provider_test

import (
	"testing"

	"github.com/alidr/terraform-provider-alidr/internal/acctest"
)

func TestMain(m *testing.M) { acctest.Main(m) }
