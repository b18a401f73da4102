/*
 * mc_mpi.h - the Monte Carlo's view of MPI: who am I, how many are we, and
 * bring every process's partial result to process 0 in rank order.
 *
 * Without an MPI build, or when the program was not started by mpirun,
 * there is one process of rank 0 and gathering is a copy.
 */
#ifndef OC_MC_MPI_H
#define OC_MC_MPI_H

#include <stddef.h>

/* Starts MPI when the build has it and the environment says mpirun started
 * us. Returns 0, or -1 with a message on stderr. */
int mcp_init(int *argc, char ***argv);
void mcp_finalize(void);
int mcp_rank(void);
int mcp_size(void);

/* Every process passes its buffer; process 0 receives all of them in rank
 * order in *all (malloc'd, concatenated) with their sizes in *sizes
 * (malloc'd, mcp_size() entries); other processes receive NULL. Returns 0
 * or -1. */
int mcp_gather(const void *buf, size_t len, unsigned char **all, size_t **sizes);

/* A logical AND across processes (for "everyone finished"); and a
 * broadcast of one flag from process 0 (for "stop now"). */
int mcp_all_true(int mine);
int mcp_bcast_flag(int flag);

#endif
