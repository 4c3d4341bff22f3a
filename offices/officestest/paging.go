package officestest

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Cursor paging, as every listing of the API does it: items by ascending
// id, PageSize at a time; the cursor is an opaque token naming the last id
// of the page, and the next request passes it back.

// page is a page of a listing: OfficeCollection, DepartmentCollection,
// CallCenterCollection and UserCollection alike.
type page[T any] struct {
	Cursor string `json:"cursor,omitempty"`
	Items  []T    `json:"items"`
}

// cursorAfter reads the cursor of query q: the last id the client has
// seen, or -1 when there is none; a cursor the simulator did not make is
// a 400.
func cursorAfter(q url.Values) (int64, *result) {
	c := q.Get("cursor")
	if c == "" {
		return -1, nil
	}
	id, ok := decodeCursor(c)
	if !ok {
		res := errorResult(http.StatusBadRequest, "badRequest", fmt.Sprintf("Invalid cursor %q", c))
		return 0, &res
	}
	return id, nil
}

// pageOf is the page of ids (ascending) that follows after: the ids keep
// accepts, as view shows them, at most size; its cursor is set when more
// follow. s.mu is held.
func pageOf[T any](ids []int64, after int64, size int, keep func(id int64) bool, view func(id int64) T) page[T] {
	p := page[T]{Items: []T{}}
	last := int64(0)
	for _, id := range ids {
		if id <= after || !keep(id) {
			continue
		}
		if len(p.Items) == size {
			p.Cursor = encodeCursor(last)
			break
		}
		p.Items = append(p.Items, view(id))
		last = id
	}
	return p
}

func encodeCursor(lastID int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("after:" + strconv.FormatInt(lastID, 10)))
}

func decodeCursor(c string) (int64, bool) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, false
	}
	digits, ok := strings.CutPrefix(string(b), "after:")
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(digits, 10, 64)
	return id, err == nil
}
