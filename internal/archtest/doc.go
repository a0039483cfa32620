// Package archtest holds tests of Portico's shape rather than its behaviour: who
// may make a principal, and what the web layer may reach of the store. It has no
// code of its own.
package archtest
