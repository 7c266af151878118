// Package vectors finds the public standard artefacts (schemas, samples) that tests may read
// from the shared/vectors folder beside the repository. They are never copied into the
// repository; tests skip with a message when the folder is not there.
package vectors

import (
	"os"
	"path/filepath"
)

// EnvDir names an environment variable that, when set, is the vectors folder.
const EnvDir = "OZGKIT_VECTORS"

// Dir returns the vectors folder: $OZGKIT_VECTORS, or else the first "shared/vectors" found
// beside the working directory or one of its parents (tests run in their package's folder,
// and shared/ lies beside the repository's root). ok is false when there is none.
func Dir() (dir string, ok bool) {
	if d := os.Getenv(EnvDir); d != "" {
		return d, isDir(d)
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", false
	}
	for d := wd; ; d = filepath.Dir(d) {
		if c := filepath.Join(d, "shared", "vectors"); isDir(c) {
			return c, true
		}
		if parent := filepath.Dir(d); parent == d {
			return "", false
		}
	}
}

// Path returns the path of a file below the vectors folder, e.g. Path("fitconnect",
// "metadata.schema.v1.0.0.json"); ok is false when the folder or the file is missing.
func Path(elem ...string) (string, bool) {
	dir, ok := Dir()
	if !ok {
		return "", false
	}
	p := filepath.Join(append([]string{dir}, elem...)...)
	_, err := os.Stat(p)
	return p, err == nil
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}
