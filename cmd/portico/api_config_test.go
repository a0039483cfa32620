package main

import "testing"

// The API's rate limit is a flag and a PORTICO_* variable like the rest, 120 a
// minute unless set.
func TestAPIRateLimitOption(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want int
	}{
		{"default", nil, nil, 120},
		{"environment", nil, map[string]string{"PORTICO_API_RATE_LIMIT": "30"}, 30},
		{"flag wins", []string{"--api-rate-limit", "0"}, map[string]string{"PORTICO_API_RATE_LIMIT": "30"}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := parseConfig(tc.args, tc.env)
			if err != nil {
				t.Fatal(err)
			}
			if c.APIRate != tc.want {
				t.Fatalf("APIRate = %d, want %d", c.APIRate, tc.want)
			}
		})
	}
}
