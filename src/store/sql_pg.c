/*
 * sql_pg.c - the PostgreSQL driver (sql.h) on libpq.
 *
 * Each statement is prepared once per connection (its ? placeholders
 * numbered $1, $2...) and run with PQexecPrepared: parameters as text, but
 * blobs in binary; results as text (bytea in hex, decoded here), or as
 * bytes for a statement of blobs only (a payload's chunks). A step
 * runs the statement on its first call and then walks the rows.
 * A read-only transaction costs one round trip when its reads are one
 * statement (a warm cache's generation): its BEGIN goes in a pipeline with
 * its first statement, and its COMMIT is sent without waiting, the answer
 * read when the connection is next used. A light stretch (read_light: an
 * access check's) runs that one statement alone, no transaction at all;
 * its transaction begins only if it reads more, and then checks that the
 * statement answers the same in it (read_moved).
 * PostgreSQL's commit is durable when the server's synchronous_commit is on
 * (the default) with fsync; docs/deploy.md says what the server needs.
 */
#include "sql.h"
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../sys/lazy_pq.h"

#define PG_PCACHE 128
#define PG_PARAMS 16 /* parameters in one statement */
#define PG_BLOBS  4  /* blob columns read from one row */

struct pg_stmt {
	struct sql_stmt base;
	const char *sql; /* the key: the literal's address */
	char name[16];	 /* the prepared statement's name */
	int nparams;
	bool busy, cached;
	unsigned epoch; /* the connection's epoch it was prepared in (0: never) */
	bool binary;	/* its results as bytes (sql_blobs_only) */
	bool light;	/* may run before a light stretch's transaction (sql_light) */
	char *val[PG_PARAMS];
	int len[PG_PARAMS], fmt[PG_PARAMS];
	PGresult *res;
	int row, nrows; /* row: the current row, from 0; -1 before the first step */
	uint8_t *blob[PG_BLOBS];
	int nblob;
};

struct pg_conn {
	struct sql base;
	PGconn *db;
	struct pg_stmt pc[PG_PCACHE];
	size_t npc;
	int64_t changes;
	unsigned once;	  /* names of the statements prepared for one use */
	unsigned epoch;	  /* moves each time the connection is made anew */
	bool begin_due;	  /* a read transaction begun, its BEGIN not yet sent */
	bool tx_open;	  /* a transaction open on the server, on this connection */
	bool tx_read;	  /* that transaction is a read stretch's (read_begin) */
	bool commit_sent; /* a read transaction's COMMIT sent, its answer not yet read */
	/* a transaction that cannot go on (its BEGIN failed, or its connection
	 * was lost): every statement fails until ROLLBACK or the read's end */
	bool broken;
	char broken_why[320];
	/* a light stretch (read_light): its light statement, run before its
	 * transaction (light_ran: the epoch it ran in; its name and answer,
	 * "" once forgotten: read_light_forget) */
	bool light, light_ran;
	char light_name[16];
	unsigned light_epoch;
	char light_answer[64];
	bool moved; /* the light statement answered otherwise in the transaction */
	char err[256];
};

#define READ_BEGIN "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY"

static struct pg_conn *C(struct sql *c)
{
	return (struct pg_conn *)c;
}

static struct pg_stmt *S(struct sql_stmt *st)
{
	return (struct pg_stmt *)st;
}

static bool pg_is_null(struct sql_stmt *st, int i);

/* Keeps the server's message (one line) for errmsg. */
static void keep_error(struct pg_conn *q, const PGresult *res)
{
	const char *m = res ? PQresultErrorMessage(res) : PQerrorMessage(q->db);
	if (!m || !*m)
		m = PQerrorMessage(q->db);
	snprintf(q->err, sizeof q->err, "%s", m && *m ? m : "unknown error");
	q->err[strcspn(q->err, "\n")] = '\0';
}

/* sql with its ? placeholders numbered ($1, $2...), outside quotes. */
static char *numbered(const char *sql, int *nparams)
{
	size_t cap = strlen(sql) * 4 + 1, n = 0; /* "?" becomes at most "$NNN" */
	char *out = malloc(cap);
	bool quoted = false;
	*nparams = 0;
	if (!out)
		return NULL;
	for (; *sql; sql++) {
		if (*sql == '\'')
			quoted = !quoted;
		if (*sql == '?' && !quoted)
			n += (size_t)snprintf(out + n, cap - n, "$%d", ++*nparams);
		else
			out[n++] = *sql;
	}
	out[n] = '\0';
	return out;
}

static void clear_params(struct pg_stmt *s)
{
	for (int i = 0; i < PG_PARAMS; i++) {
		free(s->val[i]);
		s->val[i] = NULL;
		s->len[i] = s->fmt[i] = 0;
	}
}

static void clear_result(struct pg_stmt *s)
{
	PQclear(s->res);
	s->res = NULL;
	s->row = -1;
	s->nrows = 0;
	for (int i = 0; i < s->nblob; i++)
		PQfreemem(s->blob[i]);
	s->nblob = 0;
}

/* Reads the answer to a read transaction's COMMIT sent earlier (read_end). */
static void settle(struct pg_conn *q)
{
	if (!q->commit_sent)
		return;
	q->commit_sent = false;
	PGresult *r;
	while ((r = PQgetResult(q->db)))
		PQclear(r);
}

/* Marks the transaction under way as one that cannot go on, saying why. */
static void break_tx(struct pg_conn *q, const char *why, const char *cause)
{
	q->broken = true;
	snprintf(q->broken_why, sizeof q->broken_why, "%s%s%.200s", why, *cause ? ": " : "", cause);
}

/*
 * A connection the server dropped (a restart, a failover, an administrator)
 * is made again when the next statement or transaction begins: the request
 * that found it broken failed, unless what found it was a transaction's
 * BEGIN, or the preparing of a statement outside a transaction (nothing
 * done yet: it runs again on the new connection at once). Its prepared
 * statements went with the old one: each is prepared again at its next use
 * (the epoch tells). A transaction that was open on it is lost: every
 * statement of it fails until it is rolled back, and its COMMIT fails.
 */
static void renew(struct pg_conn *q)
{
	if (q->tx_open)
		break_tx(q,
			 "the connection to the database was lost inside a transaction, which "
			 "cannot go on",
			 "");
	q->tx_open = false;
	q->commit_sent = false;
	q->epoch++;
	PQreset(q->db);
	if (PQstatus(q->db) != CONNECTION_OK)
		return;
	PQclear(PQexec(q->db, "SET client_min_messages = warning; SET client_encoding = 'UTF8'"));
	for (size_t i = 0; i < q->npc; i++)
		if (!q->pc[i].busy) {
			clear_result(&q->pc[i]);
			clear_params(&q->pc[i]);
		}
}

static void reconnect(struct pg_conn *q)
{
	if (PQstatus(q->db) != CONNECTION_OK)
		renew(q);
}

/* Whether the server holds a transaction of this connection. */
static void note_tx(struct pg_conn *q)
{
	if (PQstatus(q->db) != CONNECTION_OK)
		return; /* as it was: renew() says what is lost */
	PGTransactionStatusType t = PQtransactionStatus(q->db);
	q->tx_open = t == PQTRANS_INTRANS || t == PQTRANS_INERROR;
}

/* Prepares s on the server under its name, on the connection as it is now. */
static int server_prepare(struct pg_conn *q, struct pg_stmt *s, struct lerr *e)
{
	for (int attempt = 0;; attempt++) {
		char *text = numbered(s->sql, &s->nparams);
		PGresult *res = text && s->nparams <= PG_PARAMS
				    ? PQprepare(q->db, s->name, text, s->nparams, NULL)
				    : NULL;
		free(text);
		bool ok = res && PQresultStatus(res) == PGRES_COMMAND_OK;
		if (!ok) {
			if (s->nparams > PG_PARAMS)
				snprintf(q->err, sizeof q->err, "more than %d parameters",
					 PG_PARAMS);
			else
				keep_error(q, res);
		}
		PQclear(res);
		if (ok) {
			s->epoch = q->epoch;
			return 0;
		}
		/* a connection found dropped, with no transaction on it: once more */
		if (attempt || PQstatus(q->db) == CONNECTION_OK || q->tx_open)
			return lerr_set(e, LERR_STORE, "store: prepare: %s", q->err);
		renew(q);
	}
}

static int prepare(struct sql *c, const char *sql, bool once, struct sql_stmt **out, struct lerr *e)
{
	struct pg_conn *q = C(c);
	settle(q);
	reconnect(q);
	for (size_t i = 0; i < q->npc && !once; i++)
		if (q->pc[i].sql == sql && !q->pc[i].busy) {
			if (q->pc[i].epoch != q->epoch && server_prepare(q, &q->pc[i], e) < 0)
				return LERR_STORE;
			q->pc[i].busy = true;
			*out = &q->pc[i].base;
			return 0;
		}
	bool cached = !once && q->npc < PG_PCACHE;
	struct pg_stmt *s = cached ? &q->pc[q->npc] : calloc(1, sizeof *s);
	if (!s)
		return lerr_set(e, LERR_NOMEM, "out of memory");
	*s = (struct pg_stmt){.base = {c}, .sql = sql, .busy = true, .cached = cached, .row = -1};
	/* not cached: a name of its own, deallocated when given back */
	if (cached)
		snprintf(s->name, sizeof s->name, "s%zu", q->npc);
	else
		snprintf(s->name, sizeof s->name, "o%u", ++q->once);
	if (server_prepare(q, s, e) < 0) {
		if (!cached)
			free(s);
		return LERR_STORE;
	}
	if (cached)
		q->npc++;
	*out = &s->base;
	return 0;
}

static int pg_prep(struct sql *c, const char *sql, struct sql_stmt **out, struct lerr *e)
{
	return prepare(c, sql, false, out, e);
}

static int pg_prep_once(struct sql *c, const char *sql, struct sql_stmt **out, struct lerr *e)
{
	return prepare(c, sql, true, out, e);
}

static void pg_reset(struct sql_stmt *st)
{
	clear_result(S(st));
	clear_params(S(st));
}

static int pg_ncols(struct sql_stmt *st)
{
	return S(st)->res ? PQnfields(S(st)->res) : 0;
}

static const char *pg_col_name(struct sql_stmt *st, int i)
{
	return S(st)->res ? PQfname(S(st)->res, i) : NULL;
}

/* PostgreSQL's type ids (pg_type.h): bytea, int2, int4, int8 */
enum { OID_BYTEA = 17, OID_INT8 = 20, OID_INT2 = 21, OID_INT4 = 23 };

static enum sql_type pg_type(struct sql_stmt *st, int i)
{
	struct pg_stmt *s = S(st);
	if (pg_is_null(st, i))
		return SQL_NULL;
	Oid t = PQftype(s->res, i);
	return t == OID_BYTEA					 ? SQL_BLOB
	       : t == OID_INT8 || t == OID_INT4 || t == OID_INT2 ? SQL_INT
								 : SQL_TEXT;
}

static void pg_release(struct sql_stmt *st)
{
	struct pg_stmt *s = S(st);
	clear_result(s);
	clear_params(s);
	if (s->cached) {
		s->busy = false;
		return;
	}
	struct pg_conn *q = C(st->c);
	settle(q);
	if (s->epoch == q->epoch && PQstatus(q->db) == CONNECTION_OK) {
		/* (inside a failed transaction it stays until the connection ends) */
		char sql[32];
		snprintf(sql, sizeof sql, "DEALLOCATE %s", s->name);
		PQclear(PQexec(q->db, sql));
	}
	free(s);
}

static void set_param(struct pg_stmt *s, int i, char *v, int len, int fmt)
{
	if (i < 1 || i > PG_PARAMS) {
		free(v);
		return;
	}
	free(s->val[i - 1]);
	s->val[i - 1] = v;
	s->len[i - 1] = len;
	s->fmt[i - 1] = fmt;
}

static void pg_bind_text(struct sql_stmt *st, int i, const char *v)
{
	set_param(S(st), i, v ? strdup(v) : NULL, 0, 0);
}

static void pg_bind_int(struct sql_stmt *st, int i, int64_t v)
{
	char *t = malloc(24);
	if (t)
		snprintf(t, 24, "%lld", (long long)v);
	set_param(S(st), i, t, 0, 0);
}

static void pg_bind_blob(struct sql_stmt *st, int i, const void *p, size_t n)
{
	char *b = malloc(n ? n : 1);
	if (b && n)
		memcpy(b, p, n);
	set_param(S(st), i, b, (int)n, 1);
}

/*
 * The read transaction's BEGIN and s, in one pipeline: one round trip.
 * With light (a light stretch's statement, run before its transaction, to
 * run again in it), BEGIN, s and light (in the snapshot s took): its answer
 * in *light_res (NULL when it did not run). *begun: the BEGIN took (else
 * q->err says why). Returns s's result.
 */
static PGresult *pipeline(struct pg_conn *q, struct pg_stmt *s, const char *light,
			  PGresult **light_res, bool *begun)
{
	PGresult *res = NULL, *r;
	*begun = false;
	if (light_res)
		*light_res = NULL;
	snprintf(q->err, sizeof q->err, "the connection ended");
	if (PQenterPipelineMode(q->db) != 1) {
		keep_error(q, NULL);
		return NULL;
	}
	bool sent = PQsendQueryParams(q->db, READ_BEGIN, 0, NULL, NULL, NULL, NULL, 0) == 1 &&
		    PQsendQueryPrepared(q->db, s->name, s->nparams, (const char *const *)s->val,
					s->len, s->fmt, s->binary ? 1 : 0) == 1 &&
		    (!light || PQsendQueryPrepared(q->db, light, 0, NULL, NULL, NULL, 0) == 1) &&
		    PQpipelineSync(q->db) == 1;
	if (!sent)
		keep_error(q, NULL);
	else /* each query's result and a NULL, then the sync point */
		for (int query = 0, n = 0; n < 24; n++) {
			if (!(r = PQgetResult(q->db))) {
				if (PQstatus(q->db) != CONNECTION_OK)
					break;
				query++;
				continue;
			}
			ExecStatusType t = PQresultStatus(r);
			if (t == PGRES_PIPELINE_SYNC) {
				PQclear(r);
				break;
			}
			if (query == 0) {
				*begun = t == PGRES_COMMAND_OK;
				if (!*begun)
					keep_error(q, r);
				PQclear(r);
			} else if (query == 1 && !res && *begun)
				res = r;
			else if (query == 2 && light && light_res && !*light_res && *begun)
				*light_res = r;
			else
				PQclear(r);
		}
	if (PQexitPipelineMode(q->db) != 1 && PQstatus(q->db) == CONNECTION_OK) {
		/* answers left unread: the connection is made anew (nothing was
		 * done on it that this transaction needs) */
		keep_error(q, NULL);
		PQclear(res);
		res = NULL;
		if (light_res) {
			PQclear(*light_res);
			*light_res = NULL;
		}
		*begun = false;
		renew(q);
	}
	return res;
}

/* res's first row, its columns joined (a light statement's answer); "" when none. */
static void answer_of(const PGresult *res, char *out, size_t n)
{
	size_t k = 0;
	out[0] = '\0';
	for (int i = 0; res && PQntuples(res) > 0 && i < PQnfields(res) && k + 1 < n; i++)
		k += (size_t)snprintf(out + k, n - k, "%s%s", i ? "|" : "",
				      PQgetisnull(res, 0, i) ? "" : PQgetvalue(res, 0, i));
}

/*
 * A light stretch's transaction, just begun: the stretch has moved unless
 * its light statement answers in it as it did before. Its answer: light
 * (run in the pipeline that began the transaction), or res when s is that
 * statement, or else it is run now (a BEGIN sent on its own: pg_exec).
 */
static void light_check(struct pg_conn *q, const struct pg_stmt *s, const PGresult *res,
			const PGresult *light)
{
	char now[sizeof q->light_answer];
	PGresult *r = NULL;
	if (!q->light_ran || !q->tx_open)
		return;
	q->light_ran = false; /* checked once: the transaction is one snapshot */
	/* its connection made anew since: another server's, maybe (a
	 * failover, a standby), even with the light statement forgotten */
	if (q->light_epoch != q->epoch) {
		q->moved = true;
		return;
	}
	if (!q->light_name[0]) /* forgotten: what it read is not used */
		return;
	const PGresult *a =
	    light ? light
	    : s && strcmp(s->name, q->light_name) == 0
		? res
		: (r = PQexecPrepared(q->db, q->light_name, 0, NULL, NULL, NULL, 0));
	if (!a || PQresultStatus(a) != PGRES_TUPLES_OK)
		q->moved = true; /* no answer: not known to be the same */
	else {
		answer_of(a, now, sizeof now);
		q->moved = strcmp(now, q->light_answer) != 0;
	}
	PQclear(r);
}

/*
 * Runs s first in a read transaction whose BEGIN is due. A BEGIN that
 * found the connection dropped runs again on a new one, with s prepared
 * there, at once. NULL with q->err set when it did not run.
 */
static PGresult *exec_with_begin(struct pg_conn *q, struct pg_stmt *s)
{
	q->begin_due = false;
	bool begun;
	PGresult *light = NULL;
	/* the light statement again, after s, in its snapshot: unless s is
	 * it, or the connection was made anew since (light_check) */
	const char *again =
	    q->light_name[0] && q->light_epoch == q->epoch && strcmp(s->name, q->light_name) != 0
		? q->light_name
		: NULL;
	PGresult *res = pipeline(q, s, again, &light, &begun);
	if (!begun && PQstatus(q->db) != CONNECTION_OK) {
		PQclear(res);
		res = NULL;
		renew(q);
		if (PQstatus(q->db) != CONNECTION_OK)
			keep_error(q, NULL);
		else if (server_prepare(q, s, NULL) == 0)
			res =
			    pipeline(q, s, NULL, NULL, &begun); /* epoch moved: light_check says */
	}
	q->tx_read = true; /* a read stretch's, begun or not */
	q->tx_open = begun;
	/* no snapshot: the rest of the stretch must not read outside one */
	if (!begun)
		break_tx(q, "the read transaction did not begin", q->err);
	else if (PQstatus(q->db) == CONNECTION_OK && res &&
		 PQresultStatus(res) != PGRES_TUPLES_OK && PQresultStatus(res) != PGRES_COMMAND_OK)
		q->light_ran = false; /* s failed: its error is the answer, no decision */
	else
		light_check(q, s, res, light);
	PQclear(light);
	return res;
}

/* A statement of a transaction that cannot go on: refused, naming why. */
static bool refused(struct pg_conn *q)
{
	if (!q->broken)
		return false;
	memcpy(q->err, q->broken_why,
	       sizeof q->err < sizeof q->broken_why ? sizeof q->err : sizeof q->broken_why);
	q->err[sizeof q->err - 1] = '\0';
	return true;
}

static int pg_step(struct sql_stmt *st)
{
	struct pg_stmt *s = S(st);
	struct pg_conn *q = C(st->c);
	if (!s->res) {
		settle(q);
		reconnect(q);
		if (refused(q))
			return SQL_ERROR;
		/* prepared before the connection was made anew */
		if (s->epoch != q->epoch && server_prepare(q, s, NULL) < 0)
			return SQL_ERROR;
		/* a light stretch's first statement, when light: alone, outside */
		const bool alone = q->begin_due && q->light && s->light;
		bool due = q->begin_due && !alone;
		s->res =
		    due ? exec_with_begin(q, s)
			: PQexecPrepared(q->db, s->name, s->nparams, (const char *const *)s->val,
					 s->len, s->fmt, s->binary ? 1 : 0);
		if (!due)
			note_tx(q);
		if (alone && s->res && PQresultStatus(s->res) == PGRES_TUPLES_OK) {
			q->light = false; /* once a stretch */
			q->light_ran = true;
			snprintf(q->light_name, sizeof q->light_name, "%s", s->name);
			q->light_epoch = q->epoch;
			answer_of(s->res, q->light_answer, sizeof q->light_answer);
		}
		ExecStatusType t = s->res ? PQresultStatus(s->res) : PGRES_FATAL_ERROR;
		if (t != PGRES_TUPLES_OK && t != PGRES_COMMAND_OK) {
			if (s->res || !due) /* else exec_with_begin kept the reason */
				keep_error(q, s->res);
			clear_result(s);
			return SQL_ERROR;
		}
		const char *n = PQcmdTuples(s->res);
		q->changes = n && *n ? strtoll(n, NULL, 10) : 0;
		s->nrows = PQntuples(s->res);
		s->row = -1;
	}
	for (int i = 0; i < s->nblob; i++)
		PQfreemem(s->blob[i]);
	s->nblob = 0;
	if (s->row + 1 < s->nrows) {
		s->row++;
		return SQL_ROW;
	}
	s->row = s->nrows;
	return SQL_DONE;
}

static bool in_row(const struct pg_stmt *s, int i)
{
	return s->res && s->row >= 0 && s->row < s->nrows && i >= 0 && i < PQnfields(s->res);
}

static bool pg_is_null(struct sql_stmt *st, int i)
{
	struct pg_stmt *s = S(st);
	return !in_row(s, i) || PQgetisnull(s->res, s->row, i);
}

static const char *pg_text(struct sql_stmt *st, int i)
{
	struct pg_stmt *s = S(st);
	return pg_is_null(st, i) ? NULL : PQgetvalue(s->res, s->row, i);
}

static int64_t pg_integer(struct sql_stmt *st, int i)
{
	const char *v = pg_text(st, i);
	return v ? strtoll(v, NULL, 10) : 0;
}

/* A bytea column arrives as text (\x and hex digits): decoded here; or,
 * asked for as bytes, as they are. */
static const void *pg_blob(struct sql_stmt *st, int i, size_t *n)
{
	struct pg_stmt *s = S(st);
	const char *v = pg_text(st, i);
	*n = 0;
	if (v && s->binary) {
		*n = (size_t)PQgetlength(s->res, s->row, i);
		return v;
	}
	if (!v || s->nblob == PG_BLOBS)
		return NULL;
	uint8_t *b = PQunescapeBytea((const unsigned char *)v, n);
	if (!b)
		return NULL;
	s->blob[s->nblob++] = b;
	return b;
}

static void pg_blobs_only(struct sql_stmt *st)
{
	S(st)->binary = true;
}

static int64_t pg_changes(struct sql *c)
{
	return C(c)->changes;
}

static int pg_exec(struct sql *c, const char *sql, struct lerr *e)
{
	struct pg_conn *q = C(c);
	settle(q);
	bool rollback = strcmp(sql, "ROLLBACK") == 0, begin = strncmp(sql, "BEGIN", 5) == 0;
	if (q->begin_due) {
		q->begin_due = false;
		/* a read transaction that read nothing: nothing to end */
		if (rollback || strcmp(sql, "COMMIT") == 0)
			return 0;
		if (pg_exec(c, READ_BEGIN, e) < 0)
			return LERR_STORE;
		light_check(q, NULL, NULL, NULL);
	}
	reconnect(q);
	if (q->broken) {
		/* a ROLLBACK ends it (the server has nothing of it); a new BEGIN
		 * means it was left: anything else is refused, a COMMIT too */
		if (rollback || begin)
			q->broken = false;
		if (rollback)
			return 0;
		if (!begin) {
			refused(q);
			return lerr_set(e, LERR_STORE, "store: %s", q->err);
		}
	}
	PGresult *res = PQexec(q->db, sql);
	ExecStatusType t = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	/* a transaction's beginning that found the connection dropped (a
	 * failover, a restart): nothing was done on it; once more on a new one */
	if (t != PGRES_COMMAND_OK && t != PGRES_TUPLES_OK && PQstatus(q->db) == CONNECTION_BAD &&
	    begin && !q->tx_open) {
		PQclear(res);
		reconnect(q);
		res = PQexec(q->db, sql);
		t = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	}
	note_tx(q);
	if (begin)
		q->tx_read = strcmp(sql, READ_BEGIN) == 0;
	int r = 0;
	if (t != PGRES_COMMAND_OK && t != PGRES_TUPLES_OK) {
		keep_error(q, res);
		r = lerr_set(e, LERR_STORE, "store: %s", q->err);
	}
	PQclear(res);
	return r;
}

static const char *pg_errmsg(struct sql *c)
{
	return C(c)->err;
}

static bool pg_in_tx(struct sql *c)
{
	struct pg_conn *q = C(c);
	if (q->begin_due || q->broken)
		return true;
	if (q->commit_sent)
		return false; /* ended: its answer is on its way */
	if (q->tx_open)
		return true; /* (on a connection found lost: its ROLLBACK is still owed) */
	PGTransactionStatusType t = PQtransactionStatus(q->db);
	return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

/* No light stretch: none under way, nothing of one left (read_begin, read_end). */
static void light_off(struct pg_conn *q)
{
	q->light = q->light_ran = q->moved = false;
	q->light_name[0] = '\0';
}

/* A read transaction: its BEGIN goes with its first statement (pipeline). */
static int pg_read_begin(struct sql *c, struct lerr *e)
{
	struct pg_conn *q = C(c);
	settle(q);
	light_off(q);
	if (q->broken && q->tx_read)
		q->broken = false; /* a read left unended is over: this begins anew */
	if (pg_in_tx(c))
		return lerr_set(e, LERR_STORE, "store: a read began inside a transaction");
	q->begin_due = true;
	return 0;
}

static void pg_read_light(struct sql *c)
{
	struct pg_conn *q = C(c);
	q->light = q->begin_due;
}

/* What was read before the light stretch's transaction does not count (a
 * cache found cold there holds nothing of it): not checked again. */
static void pg_read_light_forget(struct sql *c)
{
	C(c)->light_name[0] = '\0';
}

static void pg_light(struct sql_stmt *st)
{
	struct pg_stmt *s = S(st);
	s->light = s->nparams == 0 && s->cached; /* its name lives on */
}

static bool pg_light_given(struct sql_stmt *st, const char *answer)
{
	struct pg_stmt *s = S(st);
	struct pg_conn *q = C(st->c);
	/* as pg_step's "alone" would run it: the stretch's first statement,
	 * prepared on this connection as it is now (light_check runs it again
	 * by name in the transaction) */
	if (!(q->begin_due && q->light && s->light) || s->epoch != q->epoch ||
	    strlen(answer) >= sizeof q->light_answer)
		return false;
	q->light = false;
	q->light_ran = true;
	snprintf(q->light_name, sizeof q->light_name, "%s", s->name);
	q->light_epoch = q->epoch;
	snprintf(q->light_answer, sizeof q->light_answer, "%s", answer);
	return true;
}

static bool pg_read_moved(struct sql *c)
{
	return C(c)->moved;
}

/* Its end: nothing when it read nothing; else a COMMIT whose answer is read later. */
static void pg_read_end(struct sql *c)
{
	struct pg_conn *q = C(c);
	light_off(q);
	if (q->begin_due || q->broken) {
		q->begin_due = q->broken = false;
		return;
	}
	if (PQstatus(q->db) != CONNECTION_OK) {
		/* lost: the server ended the transaction; the next use renews */
		q->tx_open = false;
		return;
	}
	settle(q);
	PGTransactionStatusType t = PQtransactionStatus(q->db);
	if (t != PQTRANS_INTRANS && t != PQTRANS_INERROR)
		return;
	q->tx_open = false;
	if (PQsendQuery(q->db, "COMMIT") == 1) {
		q->commit_sent = true;
		return;
	}
	/* not sent (out of memory?): at once, else the connection made anew,
	 * which ends the transaction too */
	PGresult *r = PQexec(q->db, "COMMIT");
	bool ok = r && PQresultStatus(r) == PGRES_COMMAND_OK;
	PQclear(r);
	if (!ok)
		renew(q);
}

static void pg_close(struct sql *c)
{
	struct pg_conn *q = C(c);
	for (size_t i = 0; i < q->npc; i++) {
		clear_result(&q->pc[i]);
		clear_params(&q->pc[i]);
	}
	PQfinish(q->db);
	free(q);
}

static const struct sql_driver pg_driver = {
    .prep = pg_prep,
    .prep_once = pg_prep_once,
    .reset = pg_reset,
    .ncols = pg_ncols,
    .col_name = pg_col_name,
    .type = pg_type,
    .release = pg_release,
    .bind_text = pg_bind_text,
    .bind_int = pg_bind_int,
    .bind_blob = pg_bind_blob,
    .step = pg_step,
    .is_null = pg_is_null,
    .text = pg_text,
    .int64 = pg_integer,
    .blob = pg_blob,
    .blobs_only = pg_blobs_only,
    .changes = pg_changes,
    .exec = pg_exec,
    .errmsg = pg_errmsg,
    .in_tx = pg_in_tx,
    .read_begin = pg_read_begin,
    .read_end = pg_read_end,
    .read_light = pg_read_light,
    .read_light_forget = pg_read_light_forget,
    .light = pg_light,
    .light_given = pg_light_given,
    .read_moved = pg_read_moved,
    .close = pg_close,
};

int sql_pg_open(const char *url, struct sql **out, struct lerr *e)
{
	*out = NULL;
	char shown[256];
	store_location_shown(url, shown, sizeof shown);
	struct lerr le = {0};
	if (lazy_pq_load(&le) < 0)
		return lerr_set(e, LERR_STORE, "store %s: %s", shown, le.msg);
	struct pg_conn *q = calloc(1, sizeof *q);
	if (!q)
		return lerr_set(e, LERR_NOMEM, "out of memory");
	q->base = (struct sql){&pg_driver, SQL_PG};
	q->epoch = 1; /* a statement of epoch 0 was never prepared */
	q->db = PQconnectdb(url);
	if (!q->db || PQstatus(q->db) != CONNECTION_OK) {
		keep_error(q, NULL);
		lerr_set(e, LERR_STORE, "store %s: %s", shown, q->db ? q->err : "out of memory");
		pg_close(&q->base);
		return LERR_STORE;
	}
	/* quiet notices ("relation already exists, skipping"); UTF-8 text */
	if (pg_exec(&q->base, "SET client_min_messages = warning; SET client_encoding = 'UTF8'",
		    e) < 0) {
		lerr_prefix(e, "store %s", shown);
		pg_close(&q->base);
		return LERR_STORE;
	}
	*out = &q->base;
	return 0;
}
