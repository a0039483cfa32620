package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/chromedp/chromedp"
)

// usage: shots BASE EMAIL OUTPREFIX path1 path2 ...
func main() {
	base, email, out := os.Args[1], os.Args[2], os.Args[3]
	for _, w := range []int{390, 1280} {
		h := 844
		if w > 400 {
			h = 800
		}
		opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath("/usr/bin/chromium"), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.WindowSize(w, h))
		actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, c2 := chromedp.NewContext(actx)
		ctx, c3 := context.WithTimeout(ctx, 120*time.Second)
		_, err := chromedp.Run(ctx, chromedp.Steps(chromedp.EmulateViewport(int64(w), int64(h)), chromedp.Navigate(base+"/login"), chromedp.WaitVisible(chromedp.CSS(`input[name=email]`)),
			chromedp.SendKeys(chromedp.CSS(`input[name=email]`), email), chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "demo-password"), chromedp.Submit(chromedp.CSS(`input[name=password]`)), chromedp.WaitVisible(chromedp.CSS(`main`)), chromedp.Sleep(500*time.Millisecond)))
		must(err)
		for i, p := range os.Args[4:] {
			open := strings.HasSuffix(p, "#menu")
			p = strings.TrimSuffix(p, "#menu")
			_, err := chromedp.Run(ctx, chromedp.Steps(chromedp.Navigate(base+p), chromedp.Sleep(sleepFor())))
			must(err)
			if open {
				_, err = chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector("details.nav-menu").open=true`))
				must(err)
			}
			sw, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
			must(err)
			iw, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`innerWidth`))
			buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
			must(err)
			f := fmt.Sprintf("%s-%02d-%d.png", out, i, w)
			os.WriteFile(f, buf, 0o644)
			fmt.Println(f, p, "scrollWidth", sw, "innerWidth", iw)
		}
		c3()
		c2()
		cancel()
	}
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

func sleepFor() time.Duration {
	if d, err := time.ParseDuration(os.Getenv("SHOT_SLEEP")); err == nil {
		return d
	}
	return 300 * time.Millisecond
}
