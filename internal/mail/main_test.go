package mail_test

import (
	"testing"

	"portico/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }
