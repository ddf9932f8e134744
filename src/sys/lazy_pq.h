/*
 * lazy_pq.h - libpq (PostgreSQL's client library), loaded on first use (sys/lazy.h): include
 * this instead of <libpq-fe.h>; lazy_pq_load() before the first call, from
 * a PostgreSQL store's connection (store/sql_pg.c).
 */
#ifndef LIAISON_SYS_LAZY_PQ_H
#define LIAISON_SYS_LAZY_PQ_H

#include <libpq-fe.h>

#include "lazy.h"

/* every function of libpq that liaison calls */
#define LAZY_PQ(X)                                                                                 \
	X(PQclear)                                                                                 \
	X(PQcmdTuples)                                                                             \
	X(PQconnectdb)                                                                             \
	X(PQenterPipelineMode)                                                                     \
	X(PQerrorMessage)                                                                          \
	X(PQexec)                                                                                  \
	X(PQexecPrepared)                                                                          \
	X(PQexitPipelineMode)                                                                      \
	X(PQfinish)                                                                                \
	X(PQfname)                                                                                 \
	X(PQfreemem)                                                                               \
	X(PQftype)                                                                                 \
	X(PQgetResult)                                                                             \
	X(PQgetisnull)                                                                             \
	X(PQgetlength)                                                                             \
	X(PQgetvalue)                                                                              \
	X(PQnfields)                                                                               \
	X(PQntuples)                                                                               \
	X(PQpipelineSync)                                                                          \
	X(PQprepare)                                                                               \
	X(PQreset)                                                                                 \
	X(PQresultErrorMessage)                                                                    \
	X(PQresultStatus)                                                                          \
	X(PQsendQuery)                                                                             \
	X(PQsendQueryParams)                                                                       \
	X(PQsendQueryPrepared)                                                                     \
	X(PQstatus)                                                                                \
	X(PQtransactionStatus)                                                                     \
	X(PQunescapeBytea)

struct lazy_pq {
	LAZY_PQ(LAZY_SLOT)
};

extern struct lazy_pq lazy_pq;

/* Loads libpq once; 0 or LERR_IO naming it and its package. */
int lazy_pq_load(struct lerr *e);

#ifndef LAZY_TABLES
#define PQclear		     (lazy_pq.PQclear)
#define PQcmdTuples	     (lazy_pq.PQcmdTuples)
#define PQconnectdb	     (lazy_pq.PQconnectdb)
#define PQenterPipelineMode  (lazy_pq.PQenterPipelineMode)
#define PQerrorMessage	     (lazy_pq.PQerrorMessage)
#define PQexec		     (lazy_pq.PQexec)
#define PQexecPrepared	     (lazy_pq.PQexecPrepared)
#define PQexitPipelineMode   (lazy_pq.PQexitPipelineMode)
#define PQfinish	     (lazy_pq.PQfinish)
#define PQfname		     (lazy_pq.PQfname)
#define PQfreemem	     (lazy_pq.PQfreemem)
#define PQftype		     (lazy_pq.PQftype)
#define PQgetResult	     (lazy_pq.PQgetResult)
#define PQgetisnull	     (lazy_pq.PQgetisnull)
#define PQgetlength	     (lazy_pq.PQgetlength)
#define PQgetvalue	     (lazy_pq.PQgetvalue)
#define PQnfields	     (lazy_pq.PQnfields)
#define PQntuples	     (lazy_pq.PQntuples)
#define PQpipelineSync	     (lazy_pq.PQpipelineSync)
#define PQprepare	     (lazy_pq.PQprepare)
#define PQreset		     (lazy_pq.PQreset)
#define PQresultErrorMessage (lazy_pq.PQresultErrorMessage)
#define PQresultStatus	     (lazy_pq.PQresultStatus)
#define PQsendQuery	     (lazy_pq.PQsendQuery)
#define PQsendQueryParams    (lazy_pq.PQsendQueryParams)
#define PQsendQueryPrepared  (lazy_pq.PQsendQueryPrepared)
#define PQstatus	     (lazy_pq.PQstatus)
#define PQtransactionStatus  (lazy_pq.PQtransactionStatus)
#define PQunescapeBytea	     (lazy_pq.PQunescapeBytea)
#endif

#endif
