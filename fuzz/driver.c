/*
 * driver.c: a main() for the fuzz targets when libFuzzer is not there (any
 * build without --enable-fuzzing, gcc included).  It runs the target's
 * LLVMFuzzerTestOneInput() once over every file named, and over every file
 * in every folder named, in name order; fuzz/corpus.sh runs each target over
 * its corpus this way in make check.
 *
 * Each input is read into a buffer of exactly its size, so that the
 * sanitizers see a read past its end.  A failed check aborts; the name of
 * the input is printed first so the log says which one.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

/* Inputs run so far. */
static size_t driver_runs;

/* Print why path could not be used; the caller exits 1. */
static int
driver_error(const char *path)
{
	fprintf(stderr, "driver: %s: %s\n", path, strerror(errno));
	return -1;
}

/* Run the target once over the contents of the file at path. */
static int
driver_file(const char *path)
{
	FILE		*f;
	unsigned char	*buf, *exact;
	size_t		 len = 0, cap = 4096, got;

	if ((f = fopen(path, "rb")) == NULL)
		return driver_error(path);
	if ((buf = malloc(cap)) == NULL)
		abort();
	while ((got = fread(buf + len, 1, cap - len, f)) != 0) {
		len += got;
		if (len == cap) {
			cap *= 2;
			if ((buf = realloc(buf, cap)) == NULL)
				abort();
		}
	}
	if (ferror(f)) {
		fclose(f);
		free(buf);
		return driver_error(path);
	}
	fclose(f);

	/* A copy of exactly len bytes; malloc(0) may be NULL, so 1 then. */
	if ((exact = malloc(len == 0 ? 1 : len)) == NULL)
		abort();
	memcpy(exact, buf, len);
	free(buf);

	printf("%s (%zu bytes)\n", path, len);
	fflush(stdout);
	LLVMFuzzerTestOneInput(exact, len);
	free(exact);
	driver_runs++;
	return 0;
}

/* Order names like strcmp() for scandir(). */
static int
driver_compare(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* Run the target over every regular file in the folder at path. */
static int
driver_dir(const char *path)
{
	struct dirent	**names;
	struct stat	  sb;
	char		 *file;
	int		  n, i, rc = 0;

	if ((n = scandir(path, &names, NULL, driver_compare)) == -1)
		return driver_error(path);
	for (i = 0; i < n; i++) {
		if (names[i]->d_name[0] == '.')
			continue;
		if ((file = malloc(strlen(path) + strlen(names[i]->d_name) +
		    2)) == NULL)
			abort();
		sprintf(file, "%s/%s", path, names[i]->d_name);
		if (stat(file, &sb) == 0 && S_ISREG(sb.st_mode) &&
		    driver_file(file) == -1)
			rc = -1;
		free(file);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

/* Run every input named on the command line; fail if there were none. */
int
main(int argc, char **argv)
{
	struct stat	sb;
	int		i, rc = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|FOLDER...\n", argv[0]);
		return 2;
	}
	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &sb) == -1)
			rc = driver_error(argv[i]);
		else if (S_ISDIR(sb.st_mode)) {
			if (driver_dir(argv[i]) == -1)
				rc = -1;
		} else if (driver_file(argv[i]) == -1)
			rc = -1;
	}
	printf("%s: %zu inputs\n", argv[0], driver_runs);

	/* A regression test that ran nothing would pass for nothing. */
	if (driver_runs == 0) {
		fprintf(stderr, "%s: no inputs found\n", argv[0]);
		return 1;
	}
	return rc == 0 ? 0 : 1;
}
