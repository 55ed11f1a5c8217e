//! The seed's `pickle_cycle.py`: a directed graph with cycles survives a
//! round trip with its shape, one node per original node.

use std::cell::RefCell;
use std::collections::HashSet;
use std::rc::Rc;

use pypickle::{Pickle, Unpickle};

/// A simple digraph.
#[derive(Default, Pickle, Unpickle)]
#[pickle(module = "__main__", name = "Node")]
struct Node {
    name: String,
    connections: Vec<NodeRef>,
}

type NodeRef = Rc<RefCell<Node>>;

fn node(name: &str) -> NodeRef {
    Rc::new(RefCell::new(Node {
        name: name.to_owned(),
        connections: Vec::new(),
    }))
}

/// Create an edge between this node and the other.
fn add_edge(from: &NodeRef, to: &NodeRef) {
    from.borrow_mut().connections.push(to.clone());
}

/// The edges in preorder, each node expanded once, as the seed's generator
/// yields them. An explicit stack instead of recursion.
fn preorder_traversal(root: &NodeRef) -> Vec<(Option<NodeRef>, NodeRef)> {
    let mut seen = HashSet::new();
    let mut edges = Vec::new();
    let mut stack = vec![(None, root.clone())];
    while let Some((parent, node)) = stack.pop() {
        edges.push((parent, node.clone()));
        if !seen.insert(Rc::as_ptr(&node)) {
            continue;
        }
        for child in node.borrow().connections.iter().rev() {
            stack.push((Some(node.clone()), child.clone()));
        }
    }
    edges
}

/// Print all the edges in the graph; an object's address plays `id()`.
fn show_edges(root: &NodeRef) {
    for (parent, child) in preorder_traversal(root) {
        let Some(parent) = parent else { continue };
        println!(
            "{:>5} -> {:>2} ({})",
            parent.borrow().name,
            child.borrow().name,
            Rc::as_ptr(&child) as usize
        );
    }
}

fn main() -> pypickle::Result<()> {
    // Set up the nodes.
    let root = node("root");
    let a = node("a");
    let b = node("b");
    let c = node("c");

    // Add edges between them.
    add_edge(&root, &a);
    add_edge(&root, &b);
    add_edge(&a, &b);
    add_edge(&b, &a);
    add_edge(&b, &c);
    add_edge(&a, &a);

    println!("ORIGINAL GRAPH:");
    show_edges(&root);

    // Pickle and unpickle the graph to create a new set of nodes.
    let dumped = pypickle::dumps_as(&root, pypickle::DEFAULT_PROTOCOL)?;
    let reloaded: NodeRef = pypickle::loads_as(&dumped)?;

    println!("\nRELOADED GRAPH:");
    show_edges(&reloaded);

    // Cycles hold Rcs to each other; break them so the nodes are freed.
    for n in [&root, &a, &b, &c] {
        n.borrow_mut().connections.clear();
    }
    for (_, n) in preorder_traversal(&reloaded) {
        n.borrow_mut().connections.clear();
    }
    Ok(())
}
