// Command go-control-plane-peer serves xDS (ADS, state-of-the-world and delta) from go-control-plane's
// LinearCache, one per resource type behind a MuxCache, for Fairlead's benchmark harness (bench/).
//
// It listens on 127.0.0.1 on a free port and prints "ready <port>". Standard input carries frames: a 4-byte
// big-endian length, then a serialized envoy.service.discovery.v3.DeltaDiscoveryResponse. A frame whose type_url
// is a resource type stages its resources (upserts) and removed_resources (deletions); "bench/commit" applies
// everything staged (clusters, endpoints, listeners, routes, in that order) and answers "ok"; "bench/stats"
// answers "stats <peak heap bytes>" (Go heap in use, sampled every 20 ms); "bench/reset" restarts that peak and
// answers "reset". End of input stops the server.
package main

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"runtime"
	"sync/atomic"
	"time"

	discovery "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	"github.com/envoyproxy/go-control-plane/pkg/cache/types"
	cache "github.com/envoyproxy/go-control-plane/pkg/cache/v3"
	resource "github.com/envoyproxy/go-control-plane/pkg/resource/v3"
	server "github.com/envoyproxy/go-control-plane/pkg/server/v3"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"
)

var order = []string{resource.ClusterType, resource.EndpointType, resource.ListenerType, resource.RouteType}

type staged struct {
	update map[string]types.Resource
	remove []string
}

func main() {
	log.SetOutput(os.Stderr)
	linear := map[string]*cache.LinearCache{}
	caches := map[string]cache.Cache{}
	for _, typeURL := range order {
		linear[typeURL] = cache.NewLinearCache(typeURL)
		caches[typeURL] = linear[typeURL]
	}
	mux := &cache.MuxCache{
		Classify:      func(r *cache.Request) string { return r.GetTypeUrl() },
		ClassifyDelta: func(r *cache.DeltaRequest) string { return r.GetTypeUrl() },
		Caches:        caches,
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	xds := server.NewServer(ctx, mux, nil)
	grpcServer := grpc.NewServer(grpc.MaxConcurrentStreams(1<<20), grpc.MaxRecvMsgSize(64<<20))
	discovery.RegisterAggregatedDiscoveryServiceServer(grpcServer, xds)
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatalf("cannot listen on 127.0.0.1: %v", err)
	}
	go func() {
		if err := grpcServer.Serve(listener); err != nil {
			log.Printf("gRPC server stopped: %v", err)
		}
	}()

	var peakHeap atomic.Uint64
	go sampleHeap(ctx, &peakHeap)

	out := bufio.NewWriter(os.Stdout)
	fmt.Fprintf(out, "ready %d\n", listener.Addr().(*net.TCPAddr).Port)
	out.Flush()

	pending := map[string]*staged{}
	in := bufio.NewReaderSize(os.Stdin, 1<<20)
	for {
		frame, err := readFrame(in)
		if err == io.EOF {
			grpcServer.Stop()
			return
		}
		if err != nil {
			log.Fatalf("cannot read a frame: %v", err)
		}
		switch frame.GetTypeUrl() {
		case "bench/commit":
			for _, typeURL := range order {
				if change, ok := pending[typeURL]; ok {
					if err := linear[typeURL].UpdateResources(change.update, change.remove); err != nil {
						log.Fatalf("cannot update %s: %v", typeURL, err)
					}
				}
			}
			pending = map[string]*staged{}
			fmt.Fprintln(out, "ok")
		case "bench/stats":
			fmt.Fprintf(out, "stats %d\n", peakHeap.Load())
		case "bench/reset":
			peakHeap.Store(0)
			fmt.Fprintln(out, "reset")
		default:
			change, ok := pending[frame.GetTypeUrl()]
			if !ok {
				change = &staged{update: map[string]types.Resource{}}
				pending[frame.GetTypeUrl()] = change
			}
			for _, r := range frame.GetResources() {
				message, err := r.GetResource().UnmarshalNew()
				if err != nil {
					log.Fatalf("cannot decode %s %s: %v", frame.GetTypeUrl(), r.GetName(), err)
				}
				change.update[r.GetName()] = message
			}
			change.remove = append(change.remove, frame.GetRemovedResources()...)
		}
		out.Flush()
	}
}

func readFrame(in *bufio.Reader) (*discovery.DeltaDiscoveryResponse, error) {
	var size uint32
	if err := binary.Read(in, binary.BigEndian, &size); err != nil {
		return nil, err
	}
	buffer := make([]byte, size)
	if _, err := io.ReadFull(in, buffer); err != nil {
		return nil, err
	}
	frame := &discovery.DeltaDiscoveryResponse{}
	return frame, proto.Unmarshal(buffer, frame)
}

func sampleHeap(ctx context.Context, peak *atomic.Uint64) {
	ticker := time.NewTicker(20 * time.Millisecond)
	defer ticker.Stop()
	var stats runtime.MemStats
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
			runtime.ReadMemStats(&stats)
			for {
				seen := peak.Load()
				if stats.HeapAlloc <= seen || peak.CompareAndSwap(seen, stats.HeapAlloc) {
					break
				}
			}
		}
	}
}
