package emulator

import "testing"

func TestRequestLogRingKeepsNewestInOrder(t *testing.T) {
	var l requestLog
	for i := 0; i < MaxRequestLog+25; i++ {
		l.add(RequestRecord{Status: i})
	}
	got := l.list()
	if len(got) != MaxRequestLog || got[0].Status != 25 || got[len(got)-1].Status != MaxRequestLog+24 {
		t.Fatalf("len %d first %d last %d", len(got), got[0].Status, got[len(got)-1].Status)
	}
	for i := 1; i < len(got); i++ {
		if got[i].Status != got[i-1].Status+1 {
			t.Fatalf("out of order at %d", i)
		}
	}
	l.clear()
	l.add(RequestRecord{Status: 1})
	if got := l.list(); len(got) != 1 || got[0].Status != 1 {
		t.Fatalf("after clear %+v", got)
	}
}
