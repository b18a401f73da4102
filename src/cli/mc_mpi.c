/*
 * mc_mpi.c - the only file that talks to MPI (see mc_mpi.h).
 *
 * Compiled with OVERCAP_MPI when CMake finds MPI; otherwise these functions
 * describe a world of one. MPI is started only when Open MPI's or MPICH's
 * launcher variables are present, so a plain `overcap mc` never pays for it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mc_mpi.h"

#ifdef OVERCAP_MPI
#include <mpi.h>

static int started, rank, size = 1;

static int launched_by_mpirun(void)
{
    return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMI_SIZE") || getenv("PMIX_RANK");
}

int mcp_init(int *argc, char ***argv)
{
    if(started || !launched_by_mpirun())
        return 0;
    if(MPI_Init(argc, argv) != MPI_SUCCESS) {
        fprintf(stderr, "overcap: MPI_Init failed\n");
        return -1;
    }
    started = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    return 0;
}

void mcp_finalize(void)
{
    if(started)
        MPI_Finalize();
    started = 0;
    rank = 0;
    size = 1;
}

int mcp_rank(void)
{
    return rank;
}

int mcp_size(void)
{
    return size;
}

int mcp_gather(const void *buf, size_t len, unsigned char **all, size_t **sizes)
{
    unsigned long long mine = len, *lens = NULL;
    int *counts = NULL, *displs = NULL, i, rc = -1;
    size_t total = 0;
    *all = NULL;
    *sizes = NULL;
    if(!started) {
        *all = malloc(len ? len : 1);
        *sizes = malloc(sizeof(size_t));
        if(!*all || !*sizes)
            goto fail;
        if(len)
            memcpy(*all, buf, len);
        (*sizes)[0] = len;
        return 0;
    }
    if(len > 0x7fffffffu) {
        fprintf(stderr, "overcap: a partial result of %zu bytes is too big for MPI_Gatherv\n",
                len);
        return -1;
    }
    if(rank == 0) {
        lens = calloc((size_t)size, sizeof(*lens));
        counts = calloc((size_t)size, sizeof(int));
        displs = calloc((size_t)size, sizeof(int));
        *sizes = calloc((size_t)size, sizeof(size_t));
        if(!lens || !counts || !displs || !*sizes)
            goto fail;
    }
    if(MPI_Gather(&mine, 1, MPI_UNSIGNED_LONG_LONG, lens, 1, MPI_UNSIGNED_LONG_LONG, 0,
                  MPI_COMM_WORLD) != MPI_SUCCESS)
        goto fail;
    if(rank == 0) {
        for(i = 0; i < size; i++) {
            if(total + lens[i] > 0x7fffffffu)
                goto fail;
            counts[i] = (int)lens[i];
            displs[i] = (int)total;
            (*sizes)[i] = (size_t)lens[i];
            total += (size_t)lens[i];
        }
        *all = malloc(total ? total : 1);
        if(!*all)
            goto fail;
    }
    if(MPI_Gatherv(buf, (int)len, MPI_BYTE, *all, counts, displs, MPI_BYTE, 0, MPI_COMM_WORLD) !=
       MPI_SUCCESS)
        goto fail;
    rc = 0;
fail:
    free(lens);
    free(counts);
    free(displs);
    if(rc) {
        free(*all);
        free(*sizes);
        *all = NULL;
        *sizes = NULL;
    }
    return rc;
}

int mcp_all_true(int mine)
{
    int all = mine;
    if(started)
        MPI_Allreduce(&mine, &all, 1, MPI_INT, MPI_LAND, MPI_COMM_WORLD);
    return all;
}

int mcp_bcast_flag(int flag)
{
    if(started)
        MPI_Bcast(&flag, 1, MPI_INT, 0, MPI_COMM_WORLD);
    return flag;
}

#else /* a world of one */

int mcp_init(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

void mcp_finalize(void)
{
}

int mcp_rank(void)
{
    return 0;
}

int mcp_size(void)
{
    return 1;
}

int mcp_gather(const void *buf, size_t len, unsigned char **all, size_t **sizes)
{
    *all = malloc(len ? len : 1);
    *sizes = malloc(sizeof(size_t));
    if(!*all || !*sizes) {
        free(*all);
        free(*sizes);
        *all = NULL;
        *sizes = NULL;
        return -1;
    }
    if(len)
        memcpy(*all, buf, len);
    (*sizes)[0] = len;
    return 0;
}

int mcp_all_true(int mine)
{
    return mine;
}

int mcp_bcast_flag(int flag)
{
    return flag;
}

#endif
