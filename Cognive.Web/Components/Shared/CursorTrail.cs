namespace Cognive.Web.Components.Shared;

/// <summary>
/// Where a cursor-paged list is: the cursor of the page shown (null: the first page) and the cursors of the pages before
/// it, so the person can go back as well as on. Cursors are the API's (an id, or the path of the next page), as text.
/// </summary>
public sealed class CursorTrail
{
    private readonly Stack<string?> _before = new();

    public string? Current { get; private set; }

    public int PageNumber => _before.Count + 1;

    public bool HasPrevious => _before.Count > 0;

    public void Next(string cursor)
    {
        _before.Push(Current);
        Current = cursor;
    }

    public void Previous()
    {
        if (_before.Count > 0)
        {
            Current = _before.Pop();
        }
    }

    /// <summary>The list path with the current cursor (on a path that has a query string already).</summary>
    public string At(string path) => Current is null ? path : $"{path}&cursor={Uri.EscapeDataString(Current)}";

    /// <summary>Back to the first page (after a filter changed, or a write).</summary>
    public void Reset()
    {
        _before.Clear();
        Current = null;
    }
}
